//! Compression of time-series chunks: one run of strictly increasing millisecond timestamps plus up to
//! [`MAX_COLUMNS`] `f64` columns, encoded losslessly (bit-exact) into a compact byte string and back.
//!
//! This module is pure: it must not do I/O and knows nothing of redb, series, names or retention.
//! Callers hand in slices and get bytes back; hostile bytes yield a [`CodecError`], never a panic,
//! and never an allocation beyond [`MAX_POINTS`] values per column.
//!
//! Format, version 1: byte 0 is the version, then the point count as LEB128, then one byte holding the
//! column count; [`header`] reads only these. Unless the chunk is empty an LSB-first bitstream follows:
//!
//! - timestamps as an *integer sequence* (below);
//! - per column a 2-bit kind: `0` constant (64 raw bits), `1` decimal (3-bit scale `d`, then the
//!   integers `k` with `v == k / 10^d` as an integer sequence), `2` Gorilla XOR of the raw bits.
//!
//! An integer sequence is a 2-bit order `o` (0 = values, 1 = deltas, 2 = delta-of-deltas, with
//! wrapping arithmetic so any `i64` works), `o` seed values, and — when residuals remain — a 2-bit
//! method: all zero (no further bits, so regular timestamps or a steady counter cost nothing per
//! point), Rice coding, zero-flagged Rice coding, or bit-packing in blocks of 32. Non-zero methods
//! first divide every residual by their common divisor (e.g. 4096 for memory sizes in pages).
//! The encoder prices every applicable choice and keeps the smallest.

mod bits;

use bits::{BitCount, BitReader, BitWriter, Sink, bit_len, mask};

/// Decoded chunk: timestamps (ms since the Unix epoch, strictly increasing) and one value vector per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    pub ts: Vec<i64>,
    pub cols: Vec<Vec<f64>>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CodecError {
    #[error("encoding a chunk: no columns given")]
    NoColumns,
    #[error("encoding a chunk: {0} columns given, at most {max} allowed", max = MAX_COLUMNS)]
    TooManyColumns(usize),
    #[error("encoding a chunk: column {column} has {len} values for {points} timestamps")]
    LengthMismatch { column: usize, len: usize, points: usize },
    #[error("chunk of {0} points exceeds the limit of {max}", max = MAX_POINTS)]
    TooLong(u64),
    #[error("timestamps are not strictly increasing at index {0}")]
    NotIncreasing(usize),
    #[error("chunk truncated while decoding {0}")]
    Truncated(&'static str),
    #[error("bad chunk header: {0}")]
    BadHeader(String),
    #[error("corrupt chunk while decoding {what}: {why}")]
    Corrupt { what: &'static str, why: &'static str },
}

pub const MAX_COLUMNS: usize = 8;
pub const MAX_POINTS: usize = 1 << 20;

const VERSION: u8 = 1;

/// `10f64.powi(d)` for the decimal scales; every entry is exactly representable.
const POW10: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];
/// Beyond 2^53 not every integer is an f64, so `k as f64` would stop being exact.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

const KIND_CONST: u64 = 0;
const KIND_DECIMAL: u64 = 1;
const KIND_XOR: u64 = 2;

const METHOD_ZEROS: u64 = 0;
const METHOD_RICE: u64 = 1;
const METHOD_ZERO_RICE: u64 = 2;
const METHOD_BLOCKS: u64 = 3;

/// A Rice quotient this large is sent as an escape plus the raw value, bounding the cost of outliers.
const RICE_ESCAPE: u32 = 32;
const BLOCK: usize = 32;
/// Bits of the length field of a length-prefixed value (0..=64).
const LEN_BITS: u32 = 7;

/// Encodes `ts` (strictly increasing) and `cols` (1..=MAX_COLUMNS columns, each ts.len() long).
/// Returns Err for an empty column list, mismatched lengths, too many points or non-increasing ts
/// (never panics).
pub fn encode(ts: &[i64], cols: &[&[f64]]) -> Result<Vec<u8>, CodecError> {
    validate(ts, cols)?;
    let mut out = Vec::with_capacity(16 + ts.len() * (1 + cols.len()));
    out.push(VERSION);
    put_leb128(&mut out, ts.len() as u64);
    out.push(cols.len() as u8);
    if ts.is_empty() {
        return Ok(out);
    }
    let mut w = BitWriter::new(out);
    let mut scratch = Scratch::default();
    let plan = plan_ints(ts, &mut scratch.res);
    let start = w.bit_len();
    write_ints(&mut w, ts, &plan, &scratch.res);
    debug_assert_eq!(w.bit_len() - start, plan.bits, "timestamp size estimate disagrees with the writer");
    for col in cols {
        encode_column(&mut w, col, &mut scratch);
    }
    Ok(w.finish())
}

pub fn decode(bytes: &[u8]) -> Result<Columns, CodecError> {
    let (n, ncols, body) = parse_header(bytes)?;
    if n == 0 {
        if !body.is_empty() {
            return Err(CodecError::Corrupt { what: "empty chunk", why: "trailing bytes" });
        }
        return Ok(Columns { ts: Vec::new(), cols: vec![Vec::new(); ncols] });
    }
    let mut r = BitReader::new(body);
    r.what = "timestamps";
    let mut ts = Vec::new();
    decode_ints(&mut r, n, &mut ts)?;
    if let Some(i) = ts.windows(2).position(|w| w.first() >= w.last()) {
        return Err(CodecError::NotIncreasing(i + 1));
    }
    let mut cols = Vec::with_capacity(ncols);
    let mut ints = Vec::new();
    for _ in 0..ncols {
        cols.push(decode_column(&mut r, n, &mut ints)?);
    }
    if r.remaining_bits() >= 8 {
        r.what = "chunk end";
        return Err(r.corrupt("trailing bytes"));
    }
    Ok(Columns { ts, cols })
}

/// Point count and column count from the header without decoding (cheap).
pub fn header(bytes: &[u8]) -> Result<(usize, usize), CodecError> {
    parse_header(bytes).map(|(n, ncols, _)| (n, ncols))
}

fn validate(ts: &[i64], cols: &[&[f64]]) -> Result<(), CodecError> {
    if cols.is_empty() {
        return Err(CodecError::NoColumns);
    }
    if cols.len() > MAX_COLUMNS {
        return Err(CodecError::TooManyColumns(cols.len()));
    }
    if ts.len() > MAX_POINTS {
        return Err(CodecError::TooLong(ts.len() as u64));
    }
    if let Some((column, c)) = cols.iter().enumerate().find(|(_, c)| c.len() != ts.len()) {
        return Err(CodecError::LengthMismatch { column, len: c.len(), points: ts.len() });
    }
    match ts.windows(2).position(|w| w.first() >= w.last()) {
        Some(i) => Err(CodecError::NotIncreasing(i + 1)),
        None => Ok(()),
    }
}

fn put_leb128(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn parse_header(bytes: &[u8]) -> Result<(usize, usize, &[u8]), CodecError> {
    const WHAT: &str = "chunk header";
    let (&version, mut rest) = bytes.split_first().ok_or(CodecError::Truncated(WHAT))?;
    if version != VERSION {
        return Err(CodecError::BadHeader(format!("unknown format version {version}")));
    }
    let mut n = 0u64;
    let mut shift = 0u32;
    loop {
        let (&b, tail) = rest.split_first().ok_or(CodecError::Truncated(WHAT))?;
        rest = tail;
        n |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
        // The limit needs 21 bits; a longer varint can only be garbage, and stopping bounds the shift.
        if shift > 21 {
            return Err(CodecError::BadHeader("point count varint is too long".into()));
        }
    }
    if n > MAX_POINTS as u64 {
        return Err(CodecError::TooLong(n));
    }
    let (&ncols, rest) = rest.split_first().ok_or(CodecError::Truncated(WHAT))?;
    if ncols == 0 || usize::from(ncols) > MAX_COLUMNS {
        return Err(CodecError::BadHeader(format!("column count {ncols} is outside 1..={MAX_COLUMNS}")));
    }
    Ok((n as usize, usize::from(ncols), rest))
}

/// Buffers reused across the columns of one chunk, so allocation is per chunk, never per value.
#[derive(Default)]
struct Scratch {
    ints: Vec<i64>,
    res: Vec<u64>,
}

#[inline]
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

#[inline]
fn unzigzag(z: u64) -> i64 {
    ((z >> 1) as i64) ^ -((z & 1) as i64)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn put_varbits<S: Sink>(s: &mut S, v: u64) {
    let len = bit_len(v);
    s.put(u64::from(len), LEN_BITS);
    s.put(v, len);
}

fn varbits_cost(v: u64) -> u64 {
    u64::from(LEN_BITS + bit_len(v))
}

fn read_varbits(r: &mut BitReader) -> Result<u64, CodecError> {
    let len = r.read(LEN_BITS)? as u32;
    if len > 64 {
        return Err(r.corrupt("length field above 64"));
    }
    r.read(len)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Zeros,
    Rice(u32),
    ZeroRice(u32),
    Blocks,
}

/// How an integer sequence will be written; `res` holds the matching residuals while it is used.
struct IntPlan {
    order: usize,
    gcd: u64,
    method: Method,
    /// Exact size of the sequence in bits, for choosing between column kinds.
    bits: u64,
}

/// Division by a divisor known to divide the dividend exactly, without a hardware divide: shift out the
/// power of two, then multiply by the inverse of the odd part modulo 2^64 (Granlund & Montgomery).
struct ExactDiv {
    shift: u32,
    inv: u64,
    /// Largest `x * inv` (mod 2^64) whose `x` is a multiple of the odd part.
    limit: u64,
}

impl ExactDiv {
    /// `g` must be non-zero.
    fn new(g: u64) -> Self {
        let shift = g.trailing_zeros().min(63);
        let odd = (g >> shift).max(1);
        // Newton's iteration doubles the correct low bits each step, starting from 3 (odd * odd = 1 mod 8).
        let mut inv = odd;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(inv)));
        }
        Self { shift, inv, limit: u64::MAX / odd }
    }

    fn divides(&self, x: u64) -> bool {
        x.trailing_zeros() >= self.shift && (x >> self.shift).wrapping_mul(self.inv) <= self.limit
    }

    /// Exact for every multiple of `g` in i64, including `i64::MIN` with a divisor of 2^63.
    fn div(&self, r: i64) -> i64 {
        (r >> self.shift).wrapping_mul(self.inv as i64)
    }
}

/// Fills `out` with the zigzagged residuals of `vals` at `order`, divided by their common divisor,
/// which is returned (0 when every residual is zero).
fn residuals(vals: &[i64], order: usize, out: &mut Vec<u64>) -> u64 {
    out.clear();
    let tail = |k: usize| vals.get(k..).unwrap_or_default();
    match order {
        0 => out.extend(vals.iter().map(|&v| v as u64)),
        1 => out.extend(vals.iter().zip(tail(1)).map(|(a, b)| b.wrapping_sub(*a) as u64)),
        _ => out.extend(
            vals.iter()
                .zip(tail(1))
                .zip(tail(2))
                .map(|((a, b), c)| c.wrapping_sub(*b).wrapping_sub(b.wrapping_sub(*a)) as u64),
        ),
    }
    let mut g = 0u64;
    let mut div = ExactDiv::new(1);
    for &r in out.iter() {
        let mag = (r as i64).unsigned_abs();
        // The divisor rarely changes after the first few values, so test cheaply before a real gcd.
        if g != 1 && mag != 0 && (g == 0 || !div.divides(mag)) {
            g = gcd(g, mag);
            div = ExactDiv::new(g);
        }
    }
    for z in out.iter_mut() {
        *z = zigzag(div.div(*z as i64));
    }
    g
}

/// Approximate size of each order's residuals (significant bits, before common-divisor reduction),
/// enough to rank orders without running every coding method at each.
fn order_costs(vals: &[i64]) -> [u64; 3] {
    let cost = |v: i64| u64::from(bit_len(zigzag(v)));
    let mut iter = vals.iter().copied();
    let Some(mut prev) = iter.next() else { return [0; 3] };
    let (mut c0, mut c1, mut c2) = (cost(prev), 0, 0);
    let mut delta = None;
    for v in iter {
        let d = v.wrapping_sub(prev);
        c0 += cost(v);
        c1 += cost(d);
        if let Some(pd) = delta {
            c2 += cost(d.wrapping_sub(pd));
        }
        (prev, delta) = (v, Some(d));
    }
    [c0, c1 + seeds_cost(vals, 1), c2 + seeds_cost(vals, 2)]
}

fn plan_ints(vals: &[i64], res: &mut Vec<u64>) -> IntPlan {
    let max_order = vals.len().saturating_sub(1).min(2);
    let costs = order_costs(vals);
    let order = (0..=max_order).min_by_key(|&o| costs.get(o).copied().unwrap_or(u64::MAX)).unwrap_or(0);
    let gcd = residuals(vals, order, res);
    let (method, method_bits) = choose_method(res, gcd);
    let bits = 2 + seeds_cost(vals, order) + method_bits;
    IntPlan { order, gcd, method, bits }
}

fn seeds(vals: &[i64], order: usize) -> impl Iterator<Item = i64> + '_ {
    let first = vals.first().copied();
    let delta = match vals {
        [a, b, ..] if order >= 2 => Some(b.wrapping_sub(*a)),
        _ => None,
    };
    first.filter(|_| order >= 1).into_iter().chain(delta)
}

fn seeds_cost(vals: &[i64], order: usize) -> u64 {
    seeds(vals, order).map(|s| varbits_cost(zigzag(s))).sum()
}

/// Picks the cheapest residual method; returns it with its exact size including the method header.
fn choose_method(res: &[u64], gcd: u64) -> (Method, u64) {
    if res.is_empty() {
        return (Method::Zeros, 0);
    }
    if gcd == 0 {
        return (Method::Zeros, 2);
    }
    let header = 2 + varbits_cost(gcd);
    let mut best = (Method::Blocks, header + blocks_cost(res));
    let (sum, nonzero) = res.iter().fold((0u128, 0u64), |(s, n), &z| (s + u128::from(z), n + u64::from(z != 0)));
    let mean = (sum / res.len() as u128) as u64;
    for k in rice_candidates(mean) {
        let cost = header + 6 + res.iter().map(|&z| rice_cost(z, k)).sum::<u64>();
        if cost < best.1 {
            best = (Method::Rice(k), cost);
        }
    }
    // The mean of the non-zero residuals, less the 1 that zero-flagged coding subtracts.
    let nz_mean = ((sum - u128::from(nonzero)) / u128::from(nonzero.max(1))) as u64;
    for k in rice_candidates(nz_mean) {
        let body: u64 = res.iter().map(|&z| if z == 0 { 1 } else { 1 + rice_cost(z - 1, k) }).sum();
        if header + 6 + body < best.1 {
            best = (Method::ZeroRice(k), header + 6 + body);
        }
    }
    best
}

/// The best Rice parameter for geometric data lies just below log2 of the mean; 0 is kept for
/// sequences of mostly zeros whose mean is inflated by a few outliers.
fn rice_candidates(mean: u64) -> impl Iterator<Item = u32> {
    let b = bit_len(mean).min(63);
    std::iter::once(0).chain([b.saturating_sub(2), b.saturating_sub(1), b].into_iter().filter(|&k| k > 0))
}

#[inline]
fn rice_cost(z: u64, k: u32) -> u64 {
    let q = z >> k;
    if q < u64::from(RICE_ESCAPE) { q + 1 + u64::from(k) } else { u64::from(RICE_ESCAPE) + varbits_cost(z) }
}

fn blocks_cost(res: &[u64]) -> u64 {
    res.chunks(BLOCK).map(|b| 7 + u64::from(bit_len(b.iter().fold(0, |a, &z| a | z))) * b.len() as u64).sum()
}

#[inline]
fn put_rice<S: Sink>(s: &mut S, z: u64, k: u32) {
    let q = z >> k;
    if q < u64::from(RICE_ESCAPE) {
        s.put(mask(q as u32), q as u32 + 1);
        s.put(z, k);
    } else {
        s.put(mask(RICE_ESCAPE), RICE_ESCAPE);
        put_varbits(s, z);
    }
}

fn read_rice(r: &mut BitReader, k: u32) -> Result<u64, CodecError> {
    let q = r.read_unary(RICE_ESCAPE)?;
    if q < RICE_ESCAPE { Ok((u64::from(q) << k) | r.read(k)?) } else { read_varbits(r) }
}

fn write_ints<S: Sink>(s: &mut S, vals: &[i64], plan: &IntPlan, res: &[u64]) {
    s.put(plan.order as u64, 2);
    for seed in seeds(vals, plan.order) {
        put_varbits(s, zigzag(seed));
    }
    if res.is_empty() {
        return;
    }
    let (code, k) = match plan.method {
        Method::Zeros => return s.put(METHOD_ZEROS, 2),
        Method::Rice(k) => (METHOD_RICE, Some(k)),
        Method::ZeroRice(k) => (METHOD_ZERO_RICE, Some(k)),
        Method::Blocks => (METHOD_BLOCKS, None),
    };
    s.put(code, 2);
    put_varbits(s, plan.gcd);
    if let Some(k) = k {
        s.put(u64::from(k), 6);
    }
    match plan.method {
        Method::Zeros => {}
        Method::Rice(k) => res.iter().for_each(|&z| put_rice(s, z, k)),
        Method::ZeroRice(k) => res.iter().for_each(|&z| {
            s.put(u64::from(z != 0), 1);
            if z != 0 {
                put_rice(s, z - 1, k);
            }
        }),
        Method::Blocks => res.chunks(BLOCK).for_each(|b| {
            let w = bit_len(b.iter().fold(0, |a, &z| a | z));
            s.put(u64::from(w), 7);
            b.iter().for_each(|&z| s.put(z, w));
        }),
    }
}

/// Reads the method header; returns it with the common divisor.
fn read_method(r: &mut BitReader) -> Result<(Method, u64), CodecError> {
    let code = r.read(2)?;
    if code == METHOD_ZEROS {
        return Ok((Method::Zeros, 0));
    }
    let gcd = read_varbits(r)?;
    if gcd == 0 {
        return Err(r.corrupt("zero common divisor"));
    }
    let method = match code {
        METHOD_RICE => Method::Rice(r.read(6)? as u32),
        METHOD_ZERO_RICE => Method::ZeroRice(r.read(6)? as u32),
        _ => Method::Blocks,
    };
    Ok((method, gcd))
}

/// Fewest bits `m` residuals can take with `method`, so a hostile count is refused before allocating.
fn min_bits(method: Method, m: usize) -> u64 {
    let m = m as u64;
    match method {
        Method::Zeros => 0,
        Method::Rice(k) => m * u64::from((k + 1).min(RICE_ESCAPE + LEN_BITS)),
        Method::ZeroRice(_) => m,
        Method::Blocks => m.div_ceil(BLOCK as u64) * 7,
    }
}

fn decode_ints(r: &mut BitReader, n: usize, out: &mut Vec<i64>) -> Result<(), CodecError> {
    out.clear();
    let order = r.read(2)? as usize;
    if order > 2 || order >= n {
        return Err(r.corrupt("integer sequence order"));
    }
    let first = if order >= 1 { unzigzag(read_varbits(r)?) } else { 0 };
    let mut delta = if order == 2 { unzigzag(read_varbits(r)?) } else { 0 };
    let m = n - order;
    let (method, gcd) = if m > 0 { read_method(r)? } else { (Method::Zeros, 0) };
    if min_bits(method, m) > r.remaining_bits() {
        return Err(CodecError::Truncated(r.what));
    }
    out.reserve_exact(n);
    let mut prev = first;
    if order >= 1 {
        out.push(first);
    }
    if order == 2 {
        prev = first.wrapping_add(delta);
        out.push(prev);
    }
    // Wrapping multiplication undoes the exact division even for a divisor of 2^63.
    let g = gcd as i64;
    read_residuals(r, m, method, |z| {
        let res = unzigzag(z).wrapping_mul(g);
        let v = match order {
            0 => res,
            1 => prev.wrapping_add(res),
            _ => {
                delta = delta.wrapping_add(res);
                prev.wrapping_add(delta)
            }
        };
        prev = v;
        out.push(v);
    })
}

fn read_residuals(r: &mut BitReader, m: usize, method: Method, mut emit: impl FnMut(u64)) -> Result<(), CodecError> {
    match method {
        Method::Zeros => (0..m).for_each(|_| emit(0)),
        Method::Rice(k) => {
            for _ in 0..m {
                emit(read_rice(r, k)?);
            }
        }
        Method::ZeroRice(k) => {
            for _ in 0..m {
                emit(if r.read_bit()? { read_rice(r, k)?.wrapping_add(1) } else { 0 });
            }
        }
        Method::Blocks => {
            for len in (0..m).step_by(BLOCK).map(|start| (m - start).min(BLOCK)) {
                let w = r.read(7)? as u32;
                if w > 64 {
                    return Err(r.corrupt("block width above 64"));
                }
                for _ in 0..len {
                    emit(r.read(w)?);
                }
            }
        }
    }
    Ok(())
}

/// The one formula both directions use, so a value accepted by the encoder decodes to the same bits.
#[inline]
fn descale(k: i64, d: usize) -> f64 {
    match POW10.get(d) {
        Some(&p) if d > 0 => k as f64 / p,
        _ => k as f64,
    }
}

/// Smallest decimal scale at which every value is exactly `k / 10^d`; leaves the `k`s in `ks`.
fn decimal_scale(vals: &[f64], ks: &mut Vec<i64>) -> Option<usize> {
    'scale: for (d, &p) in POW10.iter().enumerate() {
        ks.clear();
        for &v in vals {
            let k = (v * p).round();
            // The negated comparison also rejects NaN.
            if !(k.abs() <= MAX_EXACT) {
                continue 'scale;
            }
            let k = k as i64;
            if descale(k, d).to_bits() != v.to_bits() {
                continue 'scale;
            }
            ks.push(k);
        }
        return Some(d);
    }
    None
}

fn encode_column(w: &mut BitWriter, vals: &[f64], sc: &mut Scratch) {
    let start = w.bit_len();
    let first = vals.first().map_or(0, |v| v.to_bits());
    let constant = vals.iter().all(|v| v.to_bits() == first);
    let decimal = decimal_scale(vals, &mut sc.ints).map(|d| (d, plan_ints(&sc.ints, &mut sc.res)));
    let decimal_bits = decimal.as_ref().map_or(u64::MAX, |(_, plan)| 3 + plan.bits);
    // XOR never beats 64 bits plus one per further value, so pricing it is often unnecessary.
    let xor_floor = 64 + vals.len() as u64 - 1;
    let xor_bits = if constant || decimal_bits <= xor_floor {
        u64::MAX
    } else {
        let mut count = BitCount(0);
        put_xor(&mut count, vals);
        count.0
    };
    let const_bits = if constant { 64 } else { u64::MAX };
    let planned = match decimal {
        Some((d, plan)) if decimal_bits <= const_bits && decimal_bits <= xor_bits => {
            w.put(KIND_DECIMAL, 2);
            w.put(d as u64, 3);
            write_ints(w, &sc.ints, &plan, &sc.res);
            decimal_bits
        }
        _ if constant => {
            w.put(KIND_CONST, 2);
            w.put(first, 64);
            const_bits
        }
        _ => {
            w.put(KIND_XOR, 2);
            put_xor(w, vals);
            xor_bits
        }
    };
    debug_assert_eq!(w.bit_len() - start, 2 + planned, "size estimate disagrees with the writer");
}

fn decode_column(r: &mut BitReader, n: usize, ints: &mut Vec<i64>) -> Result<Vec<f64>, CodecError> {
    r.what = "column kind";
    match r.read(2)? {
        KIND_CONST => {
            r.what = "constant column";
            Ok(vec![f64::from_bits(r.read(64)?); n])
        }
        KIND_DECIMAL => {
            r.what = "decimal column";
            let d = r.read(3)? as usize;
            if d >= POW10.len() {
                return Err(r.corrupt("decimal scale above 6"));
            }
            decode_ints(r, n, ints)?;
            Ok(ints.iter().map(|&k| descale(k, d)).collect())
        }
        KIND_XOR => {
            r.what = "xor column";
            decode_xor(r, n)
        }
        _ => Err(r.corrupt("unknown column kind")),
    }
}

/// Gorilla: XOR with the previous value; '0' if equal, '10' + bits inside the previous
/// leading/trailing-zero window, '11' + 6-bit leading zeros + 6-bit length - 1 + the bits.
fn put_xor<S: Sink>(s: &mut S, vals: &[f64]) {
    let mut bits = vals.iter().map(|v| v.to_bits());
    let Some(mut prev) = bits.next() else { return };
    s.put(prev, 64);
    // (leading, trailing) zeros of the current window; 65 matches nothing before the first one is set.
    let mut window = (65u32, 65u32);
    for cur in bits {
        let x = cur ^ prev;
        prev = cur;
        if x == 0 {
            s.put(0, 1);
            continue;
        }
        let (lead, trail) = (x.leading_zeros(), x.trailing_zeros());
        if lead >= window.0 && trail >= window.1 {
            s.put(0b01, 2);
            s.put(x >> window.1, 64 - window.0 - window.1);
        } else {
            let len = 64 - lead - trail;
            s.put(0b11, 2);
            s.put(u64::from(lead), 6);
            s.put(u64::from(len - 1), 6);
            s.put(x >> trail, len);
            window = (lead, trail);
        }
    }
}

fn decode_xor(r: &mut BitReader, n: usize) -> Result<Vec<f64>, CodecError> {
    if 63 + n as u64 > r.remaining_bits() {
        return Err(CodecError::Truncated(r.what));
    }
    let mut out = Vec::with_capacity(n);
    let mut prev = r.read(64)?;
    out.push(f64::from_bits(prev));
    // (leading zeros, meaningful length); None until the first full control.
    let mut window: Option<(u32, u32)> = None;
    for _ in 1..n {
        if r.read_bit()? {
            let (lead, len) = if r.read_bit()? {
                let lead = r.read(6)? as u32;
                let len = r.read(6)? as u32 + 1;
                if lead + len > 64 {
                    return Err(r.corrupt("xor window wider than 64 bits"));
                }
                *window.insert((lead, len))
            } else {
                window.ok_or_else(|| r.corrupt("xor window reused before being set"))?
            };
            prev ^= r.read(len)? << (64 - lead - len);
        }
        out.push(f64::from_bits(prev));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
