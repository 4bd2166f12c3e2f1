//! Splits the raw output at the marker lines. Only a line that is exactly a marker opens a
//! section; a section counts only once the next marker proves it complete, so output cut
//! short loses its last section whole instead of yielding a number cut in half. It must not
//! look inside a section: each parser gets its lines and nothing else.

use crate::poll::script::{END, SECTIONS, marker};

/// Longer lines are skipped: no line the parsers need is anywhere near this long, and
/// skipping keeps hostile output from costing more than its size.
pub(super) const MAX_LINE: usize = 4096;

/// The complete sections of one output, each with its lines (line ends removed, invalid
/// UTF-8 replaced).
#[derive(Debug, Default)]
pub(super) struct Sections {
    /// At least one marker line was seen: the script ran.
    pub any_marker: bool,
    /// The end marker was seen: no section was cut short.
    pub complete: bool,
    found: Vec<(&'static str, Vec<String>)>,
}

impl Sections {
    pub(super) fn split(output: &[u8], nonce: &str) -> Self {
        let prefix = marker(nonce, "");
        let mut sections = Sections::default();
        // The section being read: its name (`None` for a name this version does not know,
        // whose lines are skipped) and its lines so far.
        let mut current: Option<(Option<&'static str>, Vec<String>)> = None;
        for raw in output.split(|b| *b == b'\n') {
            let line = raw.strip_suffix(b"\r").unwrap_or(raw);
            if let Some(name) = line.strip_prefix(prefix.as_bytes()) {
                sections.any_marker = true;
                if let Some((Some(done), lines)) = current.take() {
                    sections.keep(done, lines);
                }
                if name == END.as_bytes() {
                    sections.complete = true;
                    break;
                }
                current = Some((SECTIONS.iter().copied().find(|s| s.as_bytes() == name), Vec::new()));
                continue;
            }
            if line.len() > MAX_LINE {
                continue;
            }
            if let Some((Some(_), lines)) = current.as_mut() {
                lines.push(String::from_utf8_lossy(line).into_owned());
            }
        }
        // Without the end marker, `current` may have been cut anywhere: it is dropped.
        sections
    }

    /// A section that appears twice keeps its first copy: the script prints each once, so a
    /// second one is not ours to trust over the first.
    fn keep(&mut self, name: &'static str, lines: Vec<String>) {
        if !self.has(name) {
            self.found.push((name, lines));
        }
    }

    /// Whether `name` came back complete (possibly empty).
    pub(super) fn has(&self, name: &str) -> bool {
        self.found.iter().any(|(n, _)| *n == name)
    }

    /// The lines of a complete section; none when it is absent or was cut short.
    pub(super) fn lines(&self, name: &str) -> &[String] {
        self.found.iter().find(|(n, _)| *n == name).map(|(_, lines)| lines.as_slice()).unwrap_or(&[])
    }
}
