//! The one POSIX `sh` script a poll runs: it prints marked sections (`/proc/stat`,
//! `/proc/meminfo`, ... `nvidia-smi`), each introduced by a marker line carrying a
//! per-poll nonce, so output cannot forge a section boundary.
//!
//! It owns the script text and the marker format ([`marker`], shared with the parser). It
//! must not parse anything, and the script itself must stay read-only and portable: dash,
//! bash and busybox ash, GNU coreutils or busybox applets, no bashisms, nothing written to
//! the host.
//!
//! Sections beyond the plain file dumps, and why:
//! - `dm`: `dm-N name` pairs from `/sys/block/dm-*/dm/name`, so a filesystem on
//!   `/dev/mapper/NAME` (LVM, LUKS: the default RHEL layout) finds its `/proc/diskstats`
//!   entry, as the local collector finds it by resolving the device symlink.
//! - `arch`: `uname -m` alone, because the machine field of `uname -a` has no fixed
//!   position (the version field holds spaces, and GNU, busybox and old coreutils end the
//!   line differently); `uname -a` is still parsed as a fallback.
//! - `df` tries option sets from the most to the least exact and prints the first that gives
//!   any output: `-P -B1 -T -l` (GNU), `-P -B1 -l`, `-P -k -l` (BSD), then without `-l` for
//!   busybox, which has no `-l`: `-P -B1 -T`, `-P -k -T`, `-P -k`. A failing option set
//!   prints nothing on stdout, while GNU df exits 1 after printing the rest when a single
//!   mount cannot be read, so "printed something" is the test, not the exit status.

/// Every section the script prints, in order. The script ends with an [`END`] marker.
pub const SECTIONS: &[&str] = &[
    "stat",
    "meminfo",
    "loadavg",
    "uptime",
    "netdev",
    "diskstats",
    "dm",
    "df",
    "os-release",
    "uname",
    "arch",
    "cpuinfo",
    "nvidia",
];

/// The name of the last marker: output without it was cut short.
pub const END: &str = "end";

/// The marker line that opens `section`, without its line end. Only ASCII letters and digits
/// of the nonce are kept, so the nonce can never break out of the script's quoting; the parser
/// builds its markers through this same function, so both sides always agree.
pub fn marker(nonce: &str, section: &str) -> String {
    format!("{} {section}", marker_prefix(nonce))
}

fn marker_prefix(nonce: &str) -> String {
    let clean: String = nonce.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("@@steward-{clean}@@")
}

/// Which sections a poll asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything, the inventory sections included: the first poll of a session, and now and
    /// then after that.
    Full,
    /// Readings only: the inventory (`os-release`, `uname`, `arch`, `cpuinfo`) is left out, as
    /// it changes about never and costs the host four processes per poll.
    Readings,
}

/// The sections only a [`Scope::Full`] poll prints.
pub const INVENTORY: &[&str] = &["os-release", "uname", "arch", "cpuinfo"];

/// The script for one poll; `nonce` is random per poll, `[0-9a-f]{16}`.
///
/// Everything after the locale line is one `{ ...; } </dev/null` group: the shell reads the
/// whole group before running any of it, so a script cut short in transit is a syntax error
/// that runs nothing, and no command can read the rest of the script from stdin (`sh -s`).
///
/// Every file section comes from one `awk` run over all the files (a process per file was
/// most of what a poll cost the host); `s=NAME` operands are awk assignments that name the
/// section of the files after them, and a section's marker is printed with its first line,
/// so an unreadable or empty file is an absent section. Without awk, `cat` does it per file.
pub fn script(nonce: &str, scope: Scope) -> String {
    let prefix = marker_prefix(nonce);
    let inventory = match scope {
        Scope::Readings => "",
        Scope::Full => {
            r#"s os-release; cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null
s uname; uname -a 2>/dev/null
s arch; uname -m 2>/dev/null
s cpuinfo; grep -m1 -E '^(model name|Hardware|cpu model|Processor)' /proc/cpuinfo 2>/dev/null
"#
        }
    };
    format!(
        r#"LC_ALL=C; export LC_ALL
{{
m='{prefix}'
s() {{ printf '%s %s\n' "$m" "$1"; }}
set --
for p in stat=/proc/stat meminfo=/proc/meminfo loadavg=/proc/loadavg uptime=/proc/uptime \
  netdev=/proc/net/dev diskstats=/proc/diskstats; do
  [ -r "${{p#*=}}" ] && set -- "$@" "s=${{p%%=*}}" "${{p#*=}}"
done
for f in /sys/block/dm-*/dm/name; do
  [ -r "$f" ] && set -- "$@" s=dm "$f"
done
if [ $# -eq 0 ]; then
  :
elif command -v awk >/dev/null 2>&1; then
  # shellcheck disable=SC2016 # $0 and FILENAME are awk's
  awk -v m="$m" 's != l {{ print m, s; l = s }}
    s == "dm" {{ split(FILENAME, p, "/"); print p[4], $0; next }}
    {{ print }}' "$@"
else
  l=
  while [ $# -ge 2 ]; do
    n=${{1#s=}}; f=$2; shift 2
    [ "$n" = "$l" ] || s "$n"
    l=$n
    if [ "$n" = dm ]; then
      d=${{f#/sys/block/}}
      printf '%s %s\n' "${{d%%/*}}" "$(cat "$f" 2>/dev/null)"
    else
      cat "$f" 2>/dev/null
    fi
  done
fi
s df
for o in '-B1 -T -l' '-B1 -l' '-k -l' '-B1 -T' '-k -T' '-k'; do
  # shellcheck disable=SC2086 # $o is a list of options, split on purpose
  out=$(df -P $o 2>/dev/null)
  if [ -n "$out" ]; then printf '%s\n' "$out"; break; fi
done
{inventory}s nvidia
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw --format=csv,noheader,nounits 2>/dev/null
fi
s {END}
}} </dev/null
"#
    )
}

#[cfg(test)]
mod tests;
