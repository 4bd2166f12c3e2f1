//! Bit-level I/O for the chunk codec.
//!
//! Bits are packed least-significant first: the writer can then flush whole little-endian words and
//! the reader can refill eight bytes at a time, which keeps both well under a nanosecond per field.

use super::CodecError;

/// Where encoders send bits. The counter implementation prices a candidate encoding with exactly the
/// code that would write it, so the size comparison and the output can never disagree.
pub(super) trait Sink {
    /// Appends the low `bits` bits of `value` (`bits <= 64`; higher bits of `value` are ignored).
    fn put(&mut self, value: u64, bits: u32);

    /// Whether pricing may stop because the candidate already lost; a writer never stops.
    fn exhausted(&self) -> bool {
        false
    }
}

#[inline(always)]
pub(super) fn mask(bits: u32) -> u64 {
    if bits >= 64 { u64::MAX } else { (1u64 << bits) - 1 }
}

/// Number of significant bits of `v` (0 for 0).
#[inline]
pub(super) fn bit_len(v: u64) -> u32 {
    64 - v.leading_zeros()
}

pub(super) struct BitWriter {
    buf: Vec<u8>,
    acc: u64,
    /// Pending bits in `acc`, always below 64.
    len: u32,
}

impl BitWriter {
    /// Continues after whatever `buf` already holds (the byte-aligned chunk header).
    pub(super) fn new(buf: Vec<u8>) -> Self {
        Self { buf, acc: 0, len: 0 }
    }

    pub(super) fn bit_len(&self) -> u64 {
        self.buf.len() as u64 * 8 + u64::from(self.len)
    }

    /// Flushes the pending bits, zero-padded to a whole byte.
    pub(super) fn finish(mut self) -> Vec<u8> {
        let bytes = self.len.div_ceil(8) as usize;
        self.buf.extend(self.acc.to_le_bytes().iter().take(bytes));
        self.buf
    }
}

impl Sink for BitWriter {
    #[inline(always)]
    fn put(&mut self, value: u64, bits: u32) {
        let value = value & mask(bits);
        self.acc |= value << self.len;
        let total = self.len + bits;
        if total >= 64 {
            self.buf.extend_from_slice(&self.acc.to_le_bytes());
            // The part of `value` that did not fit; none when the accumulator was empty.
            self.acc = value.checked_shr(64 - self.len).unwrap_or(0);
            self.len = total - 64;
        } else {
            self.len = total;
        }
    }
}

/// A sink that only counts, and reports exhaustion once past `limit` (the size to beat).
pub(super) struct BitCount {
    pub(super) bits: u64,
    pub(super) limit: u64,
}

impl Sink for BitCount {
    #[inline]
    fn put(&mut self, _value: u64, bits: u32) {
        self.bits += u64::from(bits);
    }

    fn exhausted(&self) -> bool {
        self.bits > self.limit
    }
}

pub(super) struct BitReader<'a> {
    bytes: &'a [u8],
    /// Next byte not yet accounted for in `len`.
    pos: usize,
    /// Bits at positions `len..` may already hold the following input bytes (see `refill`); they are
    /// always the true stream bits, so OR-ing the same bytes in again later is harmless.
    acc: u64,
    len: u32,
    /// What is being decoded, for error messages.
    pub(super) what: &'static str,
}

impl<'a> BitReader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0, acc: 0, len: 0, what: "chunk" }
    }

    pub(super) fn remaining_bits(&self) -> u64 {
        self.bytes.len().saturating_sub(self.pos) as u64 * 8 + u64::from(self.len)
    }

    pub(super) fn corrupt(&self, why: &'static str) -> CodecError {
        CodecError::Corrupt { what: self.what, why }
    }

    fn truncated(&self) -> CodecError {
        CodecError::Truncated(self.what)
    }

    /// Tops `acc` up to at least 56 bits, or to everything left near the end of the input.
    #[inline]
    fn refill(&mut self) {
        if let Some(word) = self.bytes.get(self.pos..).and_then(|rest| rest.first_chunk::<8>()) {
            // Callers only refill when fewer than 33 bits are pending, so the shift is in range.
            self.acc |= u64::from_le_bytes(*word) << self.len;
            let take = (63 - self.len) / 8;
            self.pos += take as usize;
            self.len += take * 8;
        } else {
            while self.len <= 56 {
                let Some(&b) = self.bytes.get(self.pos) else { break };
                self.acc |= u64::from(b) << self.len;
                self.pos += 1;
                self.len += 8;
            }
        }
    }

    #[inline]
    fn read_word(&mut self, bits: u32) -> Result<u64, CodecError> {
        if self.len < bits {
            self.refill();
            if self.len < bits {
                return Err(self.truncated());
            }
        }
        let v = self.acc & mask(bits);
        self.acc >>= bits;
        self.len -= bits;
        Ok(v)
    }

    /// Reads a `bits`-wide field (`bits <= 64`).
    #[inline]
    pub(super) fn read(&mut self, bits: u32) -> Result<u64, CodecError> {
        if bits > 32 {
            let lo = self.read_word(32)?;
            let hi = self.read_word(bits.min(64) - 32)?;
            Ok(lo | (hi << 32))
        } else {
            self.read_word(bits)
        }
    }

    #[inline]
    pub(super) fn read_bit(&mut self) -> Result<bool, CodecError> {
        Ok(self.read_word(1)? == 1)
    }

    /// Counts 1 bits up to `max` (<= 32), consuming the terminating 0 unless `max` was reached.
    #[inline]
    pub(super) fn read_unary(&mut self, max: u32) -> Result<u32, CodecError> {
        let max = max.min(32);
        if self.len <= max {
            self.refill();
        }
        let ones = (!self.acc).trailing_zeros().min(max);
        let used = if ones < max { ones + 1 } else { max };
        if used > self.len {
            return Err(self.truncated());
        }
        self.acc >>= used;
        self.len -= used;
        Ok(ones)
    }
}
