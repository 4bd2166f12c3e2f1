//! Integer sequences (timestamps and decimal-scaled columns): the encoder prices the choices and keeps
//! the smallest; the decoder mirrors it with wrapping arithmetic, so every `i64` sequence round-trips.
//!
//! Layout: a 2-bit order `o` (0 = values, 1 = deltas, 2 = delta-of-deltas) and `o` seeds (the first
//! value, then the first delta) as zigzag length-prefixed values. If residuals remain, a 2-bit method
//! follows; method 0 means every residual is zero and nothing more is written. The other methods write
//! the residuals' common divisor, a 1-bit frame flag (set: a minimum follows and is subtracted instead
//! of zigzagging, which saves the sign bit of one-sided residuals such as counter increments), then
//! the codes: 1 = Rice (6-bit parameter `k`), 2 = zero-flagged Rice (a 1-bit non-zero flag, then the
//! Rice code of `code - 1`), 3 = bit-packing in blocks of 32 with a 7-bit width per block.

use super::CodecError;
use super::bits::{BitReader, Sink, bit_len, mask};

const METHOD_ZEROS: u64 = 0;
const METHOD_RICE: u64 = 1;
const METHOD_ZERO_RICE: u64 = 2;
const METHOD_BLOCKS: u64 = 3;

/// A Rice quotient this large is sent as an escape plus the raw value, bounding the cost of outliers.
const RICE_ESCAPE: u32 = 32;
const BLOCK: usize = 32;
/// Bits of the length field of a length-prefixed value (0..=64).
const LEN_BITS: u32 = 7;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Zeros,
    Rice(u32),
    ZeroRice(u32),
    Blocks,
}

/// How residuals become unsigned codes: divided by `gcd` (0 when all are zero), then either offset
/// from a minimum or zigzagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Mapping {
    gcd: u64,
    offset: Option<i64>,
}

/// How an integer sequence will be written; the caller's residual buffer holds the matching codes.
pub(super) struct IntPlan {
    order: usize,
    map: Mapping,
    method: Method,
    /// Number of residuals (values after the seeds).
    m: usize,
    /// Exact size of the sequence in bits, for choosing between column kinds.
    pub(super) bits: u64,
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

/// Division by a divisor known to divide the dividend exactly, without a hardware divide: shift out
/// the power of two, then multiply by the inverse of the odd part modulo 2^64 (Granlund & Montgomery).
struct ExactDiv {
    shift: u32,
    inv: u64,
    /// Largest `x * inv` (mod 2^64) whose `x` is a multiple of the odd part.
    limit: u64,
}

impl ExactDiv {
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

    /// Exact for every multiple of the divisor in i64, including `i64::MIN` with a divisor of 2^63.
    fn div(&self, r: i64) -> i64 {
        (r >> self.shift).wrapping_mul(self.inv as i64)
    }
}

/// Greatest common divisor of the magnitudes of `res` (read as i64); 0 when all are zero.
fn common_divisor(res: &[u64]) -> u64 {
    let (mut g, mut div) = (0u64, ExactDiv::new(1));
    for &r in res {
        let mag = (r as i64).unsigned_abs();
        // The divisor rarely changes after the first few values, so test cheaply before a real gcd.
        if g != 1 && mag != 0 && (g == 0 || !div.divides(mag)) {
            g = gcd(g, mag);
            div = ExactDiv::new(g);
        }
    }
    g
}

/// Fills `out` with the codes of the residuals of `vals` at `order` and returns their mapping.
fn residuals(vals: &[i64], order: usize, out: &mut Vec<u64>) -> Mapping {
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
    let gcd = common_divisor(out);
    if gcd == 0 {
        return Mapping { gcd, offset: None };
    }
    let div = ExactDiv::new(gcd);
    let (mut min, mut zigzag_sum, mut sum) = (i64::MAX, 0u128, 0i128);
    for z in out.iter_mut() {
        let q = div.div(*z as i64);
        *z = q as u64;
        min = min.min(q);
        zigzag_sum += u128::from(zigzag(q));
        sum += i128::from(q);
    }
    // Rice and block costs follow the mean code, so keep whichever mapping makes it smaller.
    let framed_sum = sum - i128::from(min) * out.len() as i128;
    let offset = (framed_sum < zigzag_sum as i128).then_some(min);
    for z in out.iter_mut() {
        let q = *z as i64;
        *z = match offset {
            Some(min) => q.wrapping_sub(min) as u64,
            None => zigzag(q),
        };
    }
    Mapping { gcd, offset }
}

/// Proxy for the coded size of a residual stream: the lesser of its significant bits per group of 8
/// zigzagged (as block packing would spend them) and its range for every value. Robust to outliers;
/// one bit-length per group rather than per value matters as `leading_zeros` is slow on baseline x86-64.
fn proxy_bits(res: impl Iterator<Item = i64>) -> u64 {
    let (mut total, mut or, mut n, mut count) = (0u64, 0u64, 0u64, 0u64);
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for r in res {
        or |= zigzag(r);
        (lo, hi) = (lo.min(r), hi.max(r));
        n += 1;
        if n == 8 {
            (total, count) = (total + 8 * u64::from(bit_len(or)), count + 8);
            (or, n) = (0, 0);
        }
    }
    let zigzagged = total + n * u64::from(bit_len(or));
    zigzagged.min((count + n) * u64::from(bit_len(hi.wrapping_sub(lo) as u64)))
}

/// Approximate size at each order, enough to rank orders without running every method at each.
fn order_costs(vals: &[i64]) -> [u64; 3] {
    let tail = |k: usize| vals.get(k..).unwrap_or_default();
    let deltas = vals.iter().zip(tail(1)).map(|(a, b)| b.wrapping_sub(*a));
    let dods = deltas.clone().zip(deltas.clone().skip(1)).map(|(a, b)| b.wrapping_sub(a));
    [proxy_bits(vals.iter().copied()), proxy_bits(deltas) + seeds_cost(vals, 1), proxy_bits(dods) + seeds_cost(vals, 2)]
}

/// Chooses how to write `vals`, leaving the residual codes in `res` for [`write_ints`].
pub(super) fn plan_ints(vals: &[i64], res: &mut Vec<u64>) -> IntPlan {
    let max_order = vals.len().saturating_sub(1).min(2);
    // Constant and linear runs (regular timestamps, constant columns, uptime) are common enough to
    // be worth recognising before any search.
    if let Some(order) = (1..=max_order).find(|&o| all_zero_at(vals, o)) {
        res.clear();
        let m = vals.len() - order;
        let bits = 2 + seeds_cost(vals, order) + if m > 0 { 2 } else { 0 };
        return IntPlan { order, map: Mapping { gcd: 0, offset: None }, method: Method::Zeros, m, bits };
    }
    let costs = order_costs(vals);
    let order = (0..=max_order).min_by_key(|&o| costs.get(o).copied().unwrap_or(u64::MAX)).unwrap_or(0);
    let map = residuals(vals, order, res);
    let (method, method_bits) = choose_method(res, map);
    let bits = 2 + seeds_cost(vals, order) + method_bits;
    IntPlan { order, map, method, m: res.len(), bits }
}

/// Whether every residual at `order` (1 or 2) is zero.
fn all_zero_at(vals: &[i64], order: usize) -> bool {
    let tail = vals.get(1..).unwrap_or_default();
    match (order, vals) {
        (1, _) => vals.iter().zip(tail).all(|(a, b)| a == b),
        (2, [a, b, ..]) => {
            let step = b.wrapping_sub(*a);
            vals.iter().zip(tail).all(|(a, b)| b.wrapping_sub(*a) == step)
        }
        _ => false,
    }
}

fn seeds(vals: &[i64], order: usize) -> impl Iterator<Item = i64> + '_ {
    let first = vals.first().copied().filter(|_| order >= 1);
    let delta = match vals {
        [a, b, ..] if order >= 2 => Some(b.wrapping_sub(*a)),
        _ => None,
    };
    first.into_iter().chain(delta)
}

fn seeds_cost(vals: &[i64], order: usize) -> u64 {
    seeds(vals, order).map(|s| varbits_cost(zigzag(s))).sum()
}

fn mapping_cost(map: Mapping) -> u64 {
    varbits_cost(map.gcd) + 1 + map.offset.map_or(0, |min| varbits_cost(zigzag(min)))
}

/// Picks the cheapest method; returns it with its exact size including the method header.
fn choose_method(res: &[u64], map: Mapping) -> (Method, u64) {
    if res.is_empty() {
        return (Method::Zeros, 0);
    }
    if map.gcd == 0 {
        return (Method::Zeros, 2);
    }
    let header = 2 + mapping_cost(map);
    let mut best = (Method::Blocks, header + blocks_cost(res));
    for (method, bits) in rice_costs(res) {
        if header + 6 + bits < best.1 {
            best = (method, header + 6 + bits);
        }
    }
    best
}

/// Exact sizes of the Rice and zero-flagged Rice codings of `res` at the likeliest parameters.
fn rice_costs(res: &[u64]) -> impl Iterator<Item = (Method, u64)> {
    let (mut sum, mut nonzero, mut max) = (0u128, 0u64, 0u64);
    for &z in res {
        (sum, nonzero, max) = (sum + u128::from(z), nonzero + u64::from(z != 0), max.max(z));
    }
    let m = res.len() as u64;
    let rice_ks = rice_candidates((sum / u128::from(m)) as u64);
    // The mean of the non-zero codes, less the 1 that zero-flagged coding subtracts; k = 0 also
    // covers sequences of mostly zeros whose mean is inflated by a few outliers.
    let [a, b, c] = rice_candidates(((sum - u128::from(nonzero)) / u128::from(nonzero.max(1))) as u64);
    let zero_ks = [0, a, b, c];
    // Without escapes a Rice code is k + 1 bits plus the quotient, so one pass summing quotients
    // prices every candidate (wrapping sums are only used when no quotient can be large).
    let (mut rice_q, mut zero_q) = ([0u64; 3], [0u64; 4]);
    for &z in res {
        rice_q.iter_mut().zip(rice_ks).for_each(|(q, k)| *q = q.wrapping_add(z >> k));
        let below = z.wrapping_sub(1) & 0u64.wrapping_sub(u64::from(z != 0));
        zero_q.iter_mut().zip(zero_ks).for_each(|(q, k)| *q = q.wrapping_add(below >> k));
    }
    let escapes = move |max: u64, k: u32| max >> k >= u64::from(RICE_ESCAPE);
    let rice = rice_ks.into_iter().zip(rice_q).map(move |(k, q)| {
        let bits =
            if escapes(max, k) { res.iter().map(|&z| rice_cost(z, k)).sum() } else { m * (1 + u64::from(k)) + q };
        (Method::Rice(k), bits)
    });
    let zero_rice = zero_ks.into_iter().zip(zero_q).map(move |(k, q)| {
        let bits = if escapes(max.saturating_sub(1), k) {
            res.iter().map(|&z| 1 + if z == 0 { 0 } else { rice_cost(z - 1, k) }).sum()
        } else {
            m + nonzero * (1 + u64::from(k)) + q
        };
        (Method::ZeroRice(k), bits)
    });
    rice.chain(zero_rice)
}

/// The best Rice parameter for geometric data lies just below log2 of the mean.
fn rice_candidates(mean: u64) -> [u32; 3] {
    let b = bit_len(mean).min(63);
    [b.saturating_sub(2), b.saturating_sub(1), b]
}

#[inline]
fn rice_cost(z: u64, k: u32) -> u64 {
    let q = z >> k;
    if q < u64::from(RICE_ESCAPE) { q + 1 + u64::from(k) } else { u64::from(RICE_ESCAPE) + varbits_cost(z) }
}

fn block_width(block: &[u64]) -> u32 {
    bit_len(block.iter().fold(0, |a, &z| a | z))
}

fn blocks_cost(res: &[u64]) -> u64 {
    res.chunks(BLOCK).map(|b| 7 + u64::from(block_width(b)) * b.len() as u64).sum()
}

#[inline(always)]
fn put_rice<S: Sink>(s: &mut S, z: u64, k: u32) {
    let q = z >> k;
    if q < u64::from(RICE_ESCAPE) {
        // q ones, the terminating zero, then the k low bits, in one field when it fits.
        let q = q as u32;
        if q + 1 + k <= 64 {
            s.put(mask(q) | ((z & mask(k)) << (q + 1)), q + 1 + k);
        } else {
            s.put(mask(q), q + 1);
            s.put(z, k);
        }
    } else {
        s.put(mask(RICE_ESCAPE), RICE_ESCAPE);
        put_varbits(s, z);
    }
}

fn read_rice(r: &mut BitReader, k: u32) -> Result<u64, CodecError> {
    let q = r.read_unary(RICE_ESCAPE)?;
    if q < RICE_ESCAPE { Ok((u64::from(q) << k) | r.read(k)?) } else { read_varbits(r) }
}

/// Writes `vals` as planned; `res` must be the codes [`plan_ints`] left.
pub(super) fn write_ints<S: Sink>(s: &mut S, vals: &[i64], plan: &IntPlan, res: &[u64]) {
    s.put(plan.order as u64, 2);
    for seed in seeds(vals, plan.order) {
        put_varbits(s, zigzag(seed));
    }
    if plan.m == 0 {
        return;
    }
    let (code, k) = match plan.method {
        Method::Zeros => return s.put(METHOD_ZEROS, 2),
        Method::Rice(k) => (METHOD_RICE, Some(k)),
        Method::ZeroRice(k) => (METHOD_ZERO_RICE, Some(k)),
        Method::Blocks => (METHOD_BLOCKS, None),
    };
    s.put(code, 2);
    put_varbits(s, plan.map.gcd);
    s.put(u64::from(plan.map.offset.is_some()), 1);
    if let Some(min) = plan.map.offset {
        put_varbits(s, zigzag(min));
    }
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
            let w = block_width(b);
            s.put(u64::from(w), 7);
            b.iter().for_each(|&z| s.put(z, w));
        }),
    }
}

fn read_method(r: &mut BitReader) -> Result<(Method, Mapping), CodecError> {
    let code = r.read(2)?;
    if code == METHOD_ZEROS {
        return Ok((Method::Zeros, Mapping { gcd: 0, offset: None }));
    }
    let gcd = read_varbits(r)?;
    if gcd == 0 {
        return Err(r.corrupt("zero common divisor"));
    }
    let offset = if r.read_bit()? { Some(unzigzag(read_varbits(r)?)) } else { None };
    let method = match code {
        METHOD_RICE => Method::Rice(r.read(6)? as u32),
        METHOD_ZERO_RICE => Method::ZeroRice(r.read(6)? as u32),
        _ => Method::Blocks,
    };
    Ok((method, Mapping { gcd, offset }))
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

/// Decodes `n` values into `out` (cleared first).
pub(super) fn decode_ints(r: &mut BitReader, n: usize, out: &mut Vec<i64>) -> Result<(), CodecError> {
    out.clear();
    let order = r.read(2)? as usize;
    if order > 2 || order >= n {
        return Err(r.corrupt("integer sequence order"));
    }
    let first = if order >= 1 { unzigzag(read_varbits(r)?) } else { 0 };
    let mut delta = if order == 2 { unzigzag(read_varbits(r)?) } else { 0 };
    let m = n - order;
    let (method, map) = if m > 0 { read_method(r)? } else { (Method::Zeros, Mapping { gcd: 0, offset: None }) };
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
    let g = map.gcd as i64;
    read_codes(r, m, method, |z| {
        let q = match map.offset {
            Some(min) => (z as i64).wrapping_add(min),
            None => unzigzag(z),
        };
        let res = q.wrapping_mul(g);
        prev = match order {
            0 => res,
            1 => prev.wrapping_add(res),
            _ => {
                delta = delta.wrapping_add(res);
                prev.wrapping_add(delta)
            }
        };
        out.push(prev);
    })
}

fn read_codes(r: &mut BitReader, m: usize, method: Method, mut emit: impl FnMut(u64)) -> Result<(), CodecError> {
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
