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
//! - timestamps as an integer sequence (see `ints`);
//! - per column a 2-bit kind: `0` constant (64 raw bits), `1` decimal (3-bit scale `d`, then the
//!   integers `k` with `v == k / 10^d` as an integer sequence), `2` Gorilla XOR of the raw bits.
//!
//! An integer sequence is values, deltas or delta-of-deltas, reduced by their common divisor and coded
//! with whichever of several methods is smallest, down to nothing per point for regular timestamps,
//! constants and steady counters. Every choice is priced at encode time; decoding just follows it.

mod bits;
mod ints;

use bits::{BitCount, BitReader, BitWriter, Sink};
use ints::{decode_ints, plan_ints, write_ints};

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

/// Encodes `ts` (strictly increasing) and `cols` (1..=MAX_COLUMNS columns, each ts.len() long).
/// Returns Err for an empty column list, mismatched lengths, too many points or non-increasing ts
/// (never panics).
pub fn encode(ts: &[i64], cols: &[&[f64]]) -> Result<Vec<u8>, CodecError> {
    validate(ts, cols)?;
    // About a byte per point: realistic columns average less, so a chunk reallocates a few times at most,
    // while a huge chunk of constants does not reserve megabytes for a few dozen bytes.
    let mut out = Vec::with_capacity(16 + ts.len());
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

/// Decodes a chunk written by [`encode`]. Malformed input is an error, never a panic.
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

/// The one formula both directions use, so a value accepted by the encoder decodes to the same bits.
#[inline]
fn descale(k: i64, d: usize) -> f64 {
    match POW10.get(d) {
        Some(&p) if d > 0 => k as f64 / p,
        _ => k as f64,
    }
}

/// `x.round()` as an integer for `|x| <= 2^53`, else None (NaN included). Spelled out because
/// `f64::round` is a libm call on baseline x86-64 while truncation is one instruction; on this range
/// `x - trunc(x)` is exact, so the result equals `f64::round` (halves away from zero).
#[inline]
fn round_exact(x: f64) -> Option<i64> {
    if x.is_nan() || x.abs() > MAX_EXACT {
        return None;
    }
    let t = x as i64;
    let frac = x - t as f64;
    Some(t + i64::from(frac >= 0.5) - i64::from(frac <= -0.5))
}

/// Smallest decimal scale at which every value is exactly `k / 10^d`; leaves the `k`s in `ks`.
fn decimal_scale(vals: &[f64], ks: &mut Vec<i64>) -> Option<usize> {
    'scale: for (d, &p) in POW10.iter().enumerate() {
        ks.clear();
        // Repeats are common (idle gauges, constant columns) and need no second check.
        let mut last = None;
        for &v in vals {
            let bits = v.to_bits();
            let k = match last {
                Some((b, k)) if b == bits => k,
                _ => match round_exact(v * p) {
                    Some(k) if descale(k, d).to_bits() == bits => k,
                    _ => continue 'scale,
                },
            };
            last = Some((bits, k));
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
    let const_bits = if constant { 64 } else { u64::MAX };
    let xor_bits = if constant || decimal_bits <= xor_floor {
        u64::MAX
    } else {
        let mut count = BitCount { bits: 0, limit: decimal_bits };
        put_xor(&mut count, vals);
        count.bits
    };
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
    for (i, cur) in bits.enumerate() {
        // A lost candidate stops being priced; checked rarely since it is rarely true.
        if i % 64 == 63 && s.exhausted() {
            return;
        }
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
