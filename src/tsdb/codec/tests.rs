use proptest::prelude::*;

use super::*;

/// `Columns` derives `PartialEq`, which is not bit-exact for f64 (NaN != NaN, -0.0 == 0.0).
fn assert_same(ts: &[i64], cols: &[&[f64]], got: &Columns) {
    assert_eq!(got.ts, ts);
    assert_eq!(got.cols.len(), cols.len());
    for (c, (want, have)) in cols.iter().zip(&got.cols).enumerate() {
        let want: Vec<u64> = want.iter().map(|v| v.to_bits()).collect();
        let have: Vec<u64> = have.iter().map(|v| v.to_bits()).collect();
        assert_eq!(want, have, "column {c}");
    }
}

fn roundtrip(ts: &[i64], cols: &[&[f64]]) -> Vec<u8> {
    let bytes = encode(ts, cols).expect("encode");
    assert_eq!(header(&bytes).expect("header"), (ts.len(), cols.len()));
    assert_same(ts, cols, &decode(&bytes).expect("decode"));
    bytes
}

fn regular(n: usize, start: i64, step: i64) -> Vec<i64> {
    (0..n as i64).map(|i| start + i * step).collect()
}

const SPECIALS: [f64; 14] = [
    f64::NAN,
    -f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    0.0,
    -0.0,
    f64::MIN_POSITIVE,
    5e-324,
    -5e-324,
    f64::MAX,
    f64::MIN,
    f64::EPSILON,
    1e300,
    -1e-300,
];

#[test]
fn empty_chunk_roundtrips() {
    let bytes = roundtrip(&[], &[&[], &[]]);
    assert_eq!(bytes, [VERSION, 0, 2]);
}

#[test]
fn one_point_roundtrips() {
    roundtrip(&[1_700_000_000_000], &[&[42.5]]);
    roundtrip(&[i64::MIN], &[&[f64::NAN], &[-0.0]]);
    roundtrip(&[i64::MAX], &[&[f64::from_bits(0x7ff0_dead_beef_0001)]]);
}

#[test]
fn constant_columns_are_header_sized() {
    let ts = regular(720, 1_700_000_000_000, 5000);
    for v in [0.0, -0.0, 17_179_869_184.0, f64::NAN, 0.1, 1e300] {
        let col = vec![v; ts.len()];
        let bytes = roundtrip(&ts, &[&col]);
        assert!(bytes.len() <= 24, "constant {v} took {} bytes", bytes.len());
    }
}

#[test]
fn regular_timestamps_cost_nothing_per_point() {
    let col = vec![1.0; 1000];
    let small = encode(&regular(10, 0, 5000), &[&col[..10]]).expect("encode");
    let large = encode(&regular(1000, 0, 5000), &[&col]).expect("encode");
    assert!(large.len() <= small.len() + 1, "{} vs {}", large.len(), small.len());
}

#[test]
fn irregular_timestamps_roundtrip() {
    let mut ts = regular(500, 1_700_000_000_000, 5000);
    for (i, t) in ts.iter_mut().enumerate() {
        *t += (i as i64 * 7919) % 37 - 18;
    }
    ts.push(ts.last().copied().unwrap_or(0) + 86_400_000);
    let col: Vec<f64> = (0..ts.len()).map(|i| i as f64).collect();
    roundtrip(&ts, &[&col]);
}

#[test]
fn extreme_timestamps_roundtrip() {
    let col = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    roundtrip(&[i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX], &[&col]);
    roundtrip(&[i64::MIN, i64::MAX], &[&col[..2]]);
    roundtrip(&[i64::MIN, 0, i64::MAX], &[&col[..3]]);
    roundtrip(&[i64::MIN + 5, i64::MIN + 6, i64::MAX], &[&col[..3]]);
}

#[test]
fn special_floats_roundtrip() {
    let ts = regular(SPECIALS.len(), 0, 1);
    roundtrip(&ts, &[&SPECIALS]);
    let mut reversed = SPECIALS;
    reversed.reverse();
    roundtrip(&ts, &[&reversed, &SPECIALS]);
    let payload_nans: Vec<f64> = (0..14).map(|i| f64::from_bits(0x7ff0_0000_0000_0001 + i * 0x1234_5678)).collect();
    roundtrip(&ts, &[&payload_nans]);
}

#[test]
fn decimal_values_with_negative_zero_fall_back() {
    let ts = regular(4, 0, 1000);
    roundtrip(&ts, &[&[0.5, -0.0, 1.25, 3.0]]);
    roundtrip(&ts, &[&[0.1, 0.2, 0.30000000000000004, 9_007_199_254_740_993.0]]);
}

#[test]
fn pow10_table_matches_powi() {
    for (d, p) in POW10.iter().enumerate() {
        assert_eq!(p.to_bits(), 10f64.powi(d as i32).to_bits());
    }
}

#[test]
fn multi_column_roundtrips() {
    let ts = regular(300, -1_000_000, 1000);
    let cols: Vec<Vec<f64>> = (0..MAX_COLUMNS)
        .map(|c| (0..ts.len()).map(|i| ((i * (c + 1)) % 97) as f64 / 10f64.powi(c as i32 % 3)).collect())
        .collect();
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    roundtrip(&ts, &refs);
}

#[test]
fn encode_rejects_bad_input() {
    let ts = [1, 2, 3];
    let col: &[f64] = &[1.0, 2.0, 3.0];
    assert_eq!(encode(&ts, &[]), Err(CodecError::NoColumns));
    assert_eq!(encode(&ts, &[col; 9]), Err(CodecError::TooManyColumns(9)));
    assert_eq!(encode(&ts, &[col, &col[..2]]), Err(CodecError::LengthMismatch { column: 1, len: 2, points: 3 }));
    assert_eq!(encode(&[1, 3, 3], &[col]), Err(CodecError::NotIncreasing(2)));
    assert_eq!(encode(&[5, 1, 7], &[col]), Err(CodecError::NotIncreasing(1)));
    let long = vec![0.0; MAX_POINTS + 1];
    let long_ts: Vec<i64> = (0..long.len() as i64).collect();
    assert_eq!(encode(&long_ts, &[&long]), Err(CodecError::TooLong(MAX_POINTS as u64 + 1)));
}

#[test]
fn decode_rejects_bad_headers() {
    assert_eq!(decode(&[]), Err(CodecError::Truncated("chunk header")));
    assert!(matches!(decode(&[9, 0, 1]), Err(CodecError::BadHeader(_))));
    assert!(matches!(decode(&[VERSION, 0, 0]), Err(CodecError::BadHeader(_))));
    assert!(matches!(decode(&[VERSION, 0, 9]), Err(CodecError::BadHeader(_))));
    assert!(matches!(decode(&[VERSION, 0x80, 0x80, 0x80, 0x80, 1]), Err(CodecError::BadHeader(_))));
    assert_eq!(decode(&[VERSION, 0x81, 0x80, 0x40, 1]), Err(CodecError::TooLong((1 << 20) + 1)));
    assert_eq!(header(&[VERSION, 0x80, 0x80, 0x40, 3]), Ok((MAX_POINTS, 3)));
    assert!(matches!(decode(&[VERSION, 0, 1, 0]), Err(CodecError::Corrupt { .. })));
    assert_eq!(decode(&[VERSION, 5, 1]), Err(CodecError::Truncated("timestamps")));
}

#[test]
fn decode_refuses_counts_the_input_cannot_hold() {
    // A million points of XOR data claimed by a handful of bytes must fail before allocating.
    let ts = regular(3, 0, 1);
    let mut bytes = encode(&ts, &[&[0.1f64.sqrt(), 2.0f64.sqrt(), 3.0f64.sqrt()]]).expect("encode");
    bytes.splice(1..2, [0x80, 0x80, 0x40]);
    assert!(decode(&bytes).is_err());
}

#[test]
fn error_messages_are_lowercase_and_name_the_part() {
    let err = decode(&[VERSION, 5, 1]).expect_err("truncated");
    assert_eq!(err.to_string(), "chunk truncated while decoding timestamps");
    for e in [CodecError::NoColumns, CodecError::TooLong(5), CodecError::NotIncreasing(3)] {
        let msg = e.to_string();
        assert!(msg.chars().next().is_some_and(char::is_lowercase), "{msg}");
    }
}

/// Deterministic xorshift64* so the size figures below are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

/// Twelve hours of one host at a 5 s step: (name, values) per metric.
fn realistic_host() -> (Vec<i64>, Vec<(&'static str, Vec<f64>)>) {
    const N: usize = 720;
    let ts = regular(N, 1_700_000_000_000, 5000);
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut walk = |start: i64, step: i64, lo: i64, hi: i64| {
        let mut k = start;
        (0..N)
            .map(|_| {
                k = (k + rng.range(-step, step)).clamp(lo, hi);
                k
            })
            .collect::<Vec<i64>>()
    };
    let cpu = walk(150, 20, 0, 1000).into_iter().map(|k| k as f64 / 10.0).collect();
    let mem = walk(2_000_000, 50, 0, 4_000_000).into_iter().map(|p| (p * 4096) as f64).collect();
    let load = walk(80, 5, 0, 10_000).into_iter().map(|k| k as f64 / 100.0).collect();
    let total = vec![17_179_869_184.0; N];
    let uptime = (0..N).map(|i| 864_000.0 + 5.0 * i as f64).collect();
    let mut rx = 123_456_789_012i64;
    let net = (0..N)
        .map(|_| {
            rx += rng.range(0, 20_000);
            rx as f64
        })
        .collect();
    let cols = vec![("cpu", cpu), ("memory", mem), ("total", total), ("uptime", uptime), ("net", net), ("load", load)];
    (ts, cols)
}

/// Bytes per sample, each metric as its own one-column chunk with header and timestamps (this
/// generator, format version 1): cpu 0.754, memory 0.919, total 0.028, uptime 0.028, net 1.878,
/// load 0.515; average 0.687. Plain Gorilla XOR of the same values averages about 3.3.
#[test]
fn realistic_host_stays_under_one_byte_per_sample() {
    let (ts, cols) = realistic_host();
    let mut total = 0.0;
    for (name, col) in &cols {
        let bytes = roundtrip(&ts, &[col]);
        let per = bytes.len() as f64 / ts.len() as f64;
        println!("{name:>8}: {:5} bytes, {per:.3} bytes/sample", bytes.len());
        total += per;
    }
    let avg = total / cols.len() as f64;
    println!("average: {avg:.3} bytes/sample");
    assert!(avg < 1.0, "average {avg:.3} bytes/sample");
}

fn any_f64() -> impl Strategy<Value = f64> {
    any::<u64>().prop_map(f64::from_bits)
}

fn special_f64() -> impl Strategy<Value = f64> {
    prop::sample::select(SPECIALS.to_vec())
}

fn extreme_i64() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        i64::MIN..i64::MIN + 16,
        i64::MAX - 16..=i64::MAX,
        -1000i64..1000,
        1_600_000_000_000i64..1_800_000_000_000,
    ]
}

/// Strictly increasing: sorted and deduplicated by the set.
fn arbitrary_ts() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::btree_set(extreme_i64(), 0..120).prop_map(|s| s.into_iter().collect())
}

/// Monitoring-like timestamps: a fixed step with occasional jitter and gaps.
fn jittered_ts() -> impl Strategy<Value = Vec<i64>> {
    (
        any::<i64>(),
        1i64..100_000,
        prop::collection::vec(prop_oneof![8 => Just(0i64), 2 => -50i64..50, 1 => 0i64..10_000_000], 0..300),
    )
        .prop_map(|(start, step, jitter)| {
            let start = start / 4;
            let mut t = start;
            jitter
                .iter()
                .map(|j| {
                    t += step + j.max(&(1 - step));
                    t
                })
                .collect()
        })
}

fn column(n: usize) -> impl Strategy<Value = Vec<f64>> {
    let decimal = (0u32..=2, prop::collection::vec(-1_000_000i64..1_000_000, n))
        .prop_map(|(d, ks)| ks.into_iter().map(|k| k as f64 / 10f64.powi(d as i32)).collect());
    let gauge = (0u32..=2, -1000i64..1000, prop::collection::vec(-30i64..=30, n)).prop_map(|(d, start, steps)| {
        let mut k = start;
        steps
            .into_iter()
            .map(|s| {
                k += s;
                k as f64 / 10f64.powi(d as i32)
            })
            .collect()
    });
    let counter = (0u64..1 << 50, prop::collection::vec(0u64..100_000, n)).prop_map(|(start, incs)| {
        let mut c = start;
        incs.into_iter()
            .map(|i| {
                c += i;
                c as f64
            })
            .collect()
    });
    let mixed = prop::collection::vec(
        prop_oneof![4 => (-100_000i64..100_000).prop_map(|k| k as f64 / 100.0), 1 => special_f64(), 1 => any_f64()],
        n,
    );
    prop_oneof![
        prop::collection::vec(any_f64(), n),
        decimal,
        gauge,
        counter,
        any_f64().prop_map(move |v| vec![v; n]),
        mixed,
    ]
}

fn chunk(ts: impl Strategy<Value = Vec<i64>>) -> impl Strategy<Value = (Vec<i64>, Vec<Vec<f64>>)> {
    ts.prop_flat_map(|ts| {
        let n = ts.len();
        (Just(ts), prop::collection::vec(column(n), 1..=MAX_COLUMNS))
    })
}

fn check_roundtrip(ts: &[i64], cols: &[Vec<f64>]) {
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    roundtrip(ts, &refs);
}

proptest! {
    #[test]
    fn arbitrary_chunks_roundtrip((ts, cols) in chunk(arbitrary_ts())) {
        check_roundtrip(&ts, &cols);
    }

    #[test]
    fn realistic_chunks_roundtrip((ts, cols) in chunk(jittered_ts())) {
        check_roundtrip(&ts, &cols);
    }

    #[test]
    fn decode_of_arbitrary_bytes_never_panics(
        n in prop_oneof![0u64..8, 0..=MAX_POINTS as u64 + 2],
        ncols in 0u8..10,
        body in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut bytes = vec![VERSION];
        put_leb128(&mut bytes, n);
        bytes.push(ncols);
        bytes.extend(body);
        check_decoded_invariants(&bytes);
        check_decoded_invariants(&bytes[1..]);
    }

    #[test]
    fn decode_of_damaged_chunks_never_panics(
        (ts, cols) in chunk(jittered_ts()),
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec(any::<prop::sample::Index>(), 1..4),
    ) {
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let bytes = encode(&ts, &refs).expect("encode");
        check_decoded_invariants(&bytes[..cut.index(bytes.len() + 1)]);
        let mut flipped = bytes.clone();
        for f in flips {
            let bit = f.index(flipped.len() * 8);
            flipped[bit / 8] ^= 1 << (bit % 8);
        }
        check_decoded_invariants(&flipped);
    }
}

/// Whatever `decode` makes of damaged input, it must not panic and what it returns must be well formed.
fn check_decoded_invariants(bytes: &[u8]) {
    if let Ok(c) = decode(bytes) {
        assert!(c.ts.windows(2).all(|w| w[0] < w[1]));
        assert!((1..=MAX_COLUMNS).contains(&c.cols.len()));
        assert!(c.cols.iter().all(|col| col.len() == c.ts.len()));
        assert_eq!(header(bytes), Ok((c.ts.len(), c.cols.len())));
    }
}

proptest! {
    #[test]
    fn round_exact_matches_f64_round(x in prop_oneof![
        any_f64(),
        (-1e6f64..1e6),
        (-1_000_000i64..1_000_000).prop_map(|k| k as f64 + 0.5),
        (-1_000_000i64..1_000_000).prop_map(|k| (k as f64 + 0.5).next_down()),
        (-1_000_000i64..1_000_000).prop_map(|k| (k as f64 - 0.5).next_up()),
        (MAX_EXACT - 4.0..MAX_EXACT + 4.0),
        (-MAX_EXACT - 4.0..-MAX_EXACT + 4.0),
    ]) {
        let r = x.round();
        let want = (r.abs() <= MAX_EXACT).then_some(r as i64);
        prop_assert_eq!(round_exact(x), want);
    }
}
