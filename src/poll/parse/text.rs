//! The bounds every value and label from a remote host must keep: numbers are plain digits
//! (never signs, exponents, `nan` or `inf`, which Rust's float parser would accept), labels
//! are printable and short. It must not repair anything: what fails a check is dropped by the
//! caller, since a guessed value would be a wrong one.

/// Longest interface or device name kept (Linux allows 15 for interfaces, device-mapper
/// names reach 127 but real ones stay far shorter).
pub(super) const MAX_NAME: usize = 64;
/// Longest mount point, filesystem type, GPU name or fact kept.
pub(super) const MAX_LABEL: usize = 256;
/// Longest excerpt of unexpected output quoted in an error.
const MAX_EXCERPT: usize = 120;

/// `value` as a label when it is non-empty, at most `max` bytes, and printable: no control
/// characters, no replacement character (the sign of bytes that were not UTF-8), no bidi
/// overrides that would make a label display as something else.
pub(super) fn label(value: &str, max: usize) -> Option<String> {
    let ok = !value.is_empty() && value.len() <= max && value.chars().all(printable);
    ok.then(|| value.to_owned())
}

/// A fact string: trimmed, printable and bounded, or empty.
pub(super) fn fact(value: &str) -> String {
    label(value.trim(), MAX_LABEL).unwrap_or_default()
}

fn printable(c: char) -> bool {
    !c.is_control()
        && c != char::REPLACEMENT_CHARACTER
        && !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A whole number written with digits only.
pub(super) fn uint(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A non-negative decimal written as digits with at most one point (`0.52`, `33270.59`,
/// `12`): never negative, and never infinite (hundreds of digits parse as infinity, which
/// is dropped).
pub(super) fn decimal(s: &str) -> Option<f64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
}

/// What came back instead of the script's output, for an error message: ` (no output)`, or
/// `: "..."` with the start of the text on one line, unprintable characters blanked,
/// at most [`MAX_EXCERPT`] characters.
pub(crate) fn excerpt(output: &[u8]) -> String {
    let head = &output[..output.len().min(MAX_EXCERPT * 4)];
    let text = String::from_utf8_lossy(head);
    let cleaned: String = text.chars().map(|c| if printable(c) && c != '"' { c } else { ' ' }).collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let mut line = words.join(" ");
    if line.is_empty() {
        return if output.is_empty() { " (no output)".to_owned() } else { " (only unprintable output)".to_owned() };
    }
    if line.chars().count() > MAX_EXCERPT || output.len() > head.len() {
        line = line.chars().take(MAX_EXCERPT - 3).collect();
        line.push_str("...");
    }
    format!(": \"{line}\"")
}
