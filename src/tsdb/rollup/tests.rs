use proptest::prelude::*;

use super::*;

/// The obvious computation, to check the real one against.
fn naive(samples: &[(i64, f64)], step: i64) -> Vec<(i64, f64, f64, f64, u64, f64)> {
    let mut keys: Vec<i64> = samples.iter().map(|s| s.0.div_euclid(step) * step).collect();
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            let vals: Vec<f64> = samples.iter().filter(|s| s.0.div_euclid(step) * step == k).map(|s| s.1).collect();
            let min = vals.iter().copied().fold(f64::INFINITY, f64::min);
            let max = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (k, min, max, vals.iter().sum(), vals.len() as u64, *vals.last().unwrap())
        })
        .collect()
}

fn sorted_samples() -> impl Strategy<Value = Vec<(i64, f64)>> {
    prop::collection::btree_map(
        -10_000_000i64..10_000_000,
        prop_oneof![(-1000i64..1000).prop_map(|v| v as f64 / 10.0), -1e9f64..1e9],
        0..300,
    )
    .prop_map(|m| m.into_iter().collect())
}

proptest! {
    #[test]
    fn rollups_equal_the_naive_computation(samples in sorted_samples(), step in prop_oneof![Just(MINUTE_MS), Just(HOUR_MS), 1i64..100_000]) {
        let got = rollup(&samples, step);
        let want = naive(&samples, step);
        prop_assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            prop_assert_eq!((g.ts, g.min, g.max, g.count, g.last), (w.0, w.1, w.2, w.4, w.5));
            prop_assert!((g.sum - w.3).abs() <= 1e-9 * w.3.abs().max(1.0), "sum {} vs {}", g.sum, w.3);
        }
    }

    #[test]
    fn rollup_chunks_round_trip(samples in sorted_samples()) {
        let buckets = rollup(&samples, MINUTE_MS);
        prop_assert_eq!(decode(&encode(&buckets).unwrap()).unwrap(), buckets);
    }
}

#[test]
fn decimal_sums_are_exact() {
    let b = rollup(&[(0, 0.1), (1, 0.2)], MINUTE_MS);
    assert_eq!(b[0].sum, 0.3);
    assert_eq!(b[0].avg(), 0.15);
}

#[test]
fn merge_lets_newer_buckets_win() {
    let old = vec![Bucket::of(0, 1.0), Bucket::of(60_000, 2.0)];
    let merged = merge(old, &[Bucket::of(60_000, 5.0), Bucket::of(120_000, 3.0)]);
    assert_eq!(merged.iter().map(|b| b.last).collect::<Vec<_>>(), vec![1.0, 5.0, 3.0]);
}

#[test]
fn folding_adds_the_parts_of_a_bucket_and_keeps_the_others() {
    let part = |ts, v: f64, n| Bucket { ts, min: v, max: v, sum: v * n as f64, count: n, last: v };
    let folded = fold(vec![part(0, 1.0, 2), part(60, 5.0, 1)], &[part(60, 3.0, 2), part(120, 7.0, 1)]);
    assert_eq!(folded.len(), 3);
    assert_eq!(folded[0], part(0, 1.0, 2));
    assert_eq!(folded[1], Bucket { ts: 60, min: 3.0, max: 5.0, sum: 11.0, count: 3, last: 3.0 });
    assert_eq!(folded[2], part(120, 7.0, 1));
}
