use super::*;

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn body(n: u8, len: usize) -> Vec<u8> {
    vec![n; len]
}

#[test]
fn batches_come_back_in_order_and_survive_a_reopen() {
    let d = dir();
    let mut s = Spool::open(d.path(), 1 << 20).unwrap();
    for n in 1..=3 {
        assert_eq!(s.push(&body(n, 100)).unwrap(), 0);
    }
    let first = s.front().unwrap().unwrap();
    assert_eq!(first.body, body(1, 100));
    s.pop(first.seq).unwrap();
    drop(s);
    let mut s = Spool::open(d.path(), 1 << 20).unwrap();
    assert_eq!((s.len(), s.bytes()), (2, 2 * (HEADER as u64 + 100)));
    let mut seen = Vec::new();
    while let Some(b) = s.front().unwrap() {
        seen.push(b.body[0]);
        s.pop(b.seq).unwrap();
    }
    assert_eq!(seen, vec![2, 3]);
    s.push(&body(4, 10)).unwrap();
    assert!(s.front().unwrap().unwrap().seq > first.seq, "sequence numbers keep growing across a reopen");
}

#[test]
fn a_full_spool_drops_the_oldest_and_counts_them() {
    let d = dir();
    let size = HEADER as u64 + 100;
    let mut s = Spool::open(d.path(), 3 * size).unwrap();
    for n in 1..=3 {
        s.push(&body(n, 100)).unwrap();
    }
    assert_eq!(s.push(&body(4, 100)).unwrap(), 1);
    assert_eq!(s.push(&body(5, 250)).unwrap(), 3, "a bigger batch pushes out as many as it needs");
    assert_eq!(s.dropped(), 4);
    assert!(s.bytes() <= 3 * size);
    let left: Vec<u8> = std::iter::from_fn(|| {
        let b = s.front().unwrap()?;
        s.pop(b.seq).unwrap();
        Some(b.body[0])
    })
    .collect();
    assert_eq!(left, vec![5]);
    assert!(matches!(s.push(&body(6, 1000)), Err(SpoolError::TooLarge { .. })));
}

#[test]
fn a_damaged_batch_is_skipped_and_the_rest_kept() {
    let d = dir();
    let mut s = Spool::open(d.path(), 1 << 20).unwrap();
    for n in 1..=3 {
        s.push(&body(n, 50)).unwrap();
    }
    drop(s);
    let second = d.path().join(format!("{:020}.batch", 2));
    let mut bytes = fs::read(&second).unwrap();
    bytes[HEADER + 10] ^= 0xFF;
    fs::write(&second, bytes).unwrap();
    let truncated = d.path().join(format!("{:020}.batch", 3));
    fs::write(&truncated, &fs::read(&truncated).unwrap()[..HEADER + 5]).unwrap();
    fs::write(d.path().join(format!("{:020}.batch.tmp", 4)), b"half a write").unwrap();
    let mut s = Spool::open(d.path(), 1 << 20).unwrap();
    s.push(&body(9, 50)).unwrap();
    let mut seen = Vec::new();
    while let Some(b) = s.front().unwrap() {
        seen.push(b.body[0]);
        s.pop(b.seq).unwrap();
    }
    assert_eq!(seen, vec![1, 9]);
    assert_eq!(s.damaged(), 2);
    assert_eq!(fs::read_dir(d.path()).unwrap().count(), 0, "damaged and temporary files are gone");
}

#[test]
fn a_failed_write_spools_nothing_and_is_an_error() {
    let d = dir();
    let mut s = Spool::open(d.path(), 1 << 20).unwrap();
    s.push(&body(1, 10)).unwrap();
    // The directory going away stands in for a full or failing disk.
    fs::remove_dir_all(d.path()).unwrap();
    assert!(matches!(s.push(&body(2, 10)), Err(SpoolError::Write { .. })));
    assert_eq!(s.len(), 1);
}
