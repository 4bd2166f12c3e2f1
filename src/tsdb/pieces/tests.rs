use redb::{
    Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition, backends::InMemoryBackend,
};

use super::*;

const TABLE: TableDefinition<(u32, i64), &[u8]> = TableDefinition::new("pieces");
const T0: i64 = 1_700_000_000_000 - 1_700_000_000_000 % 3_600_000;
const HOUR: i64 = 3_600_000;

fn db() -> Database {
    Database::builder().create_with_backend(InMemoryBackend::new()).unwrap()
}

fn raw() -> &'static Points<(i64, f64)> {
    &crate::tsdb::raw::POINTS
}

/// One-decimal noise every `step_ms` over `[from, to)`: about a byte a sample.
fn noisy(from: i64, to: i64, step_ms: i64, seed: &mut u64) -> Vec<(i64, f64)> {
    (from..to)
        .step_by(step_ms as usize)
        .map(|ts| {
            *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (ts, ((*seed >> 33) % 1000) as f64 / 10.0)
        })
        .collect()
}

/// Appends hour by hour as sealing does.
fn store_hours(db: &Database, id: u32, points: &[(i64, f64)]) {
    let how = raw();
    let mut i = 0;
    while i < points.len() {
        let hour = points[i].0.div_euclid(HOUR) * HOUR;
        let n = points[i..].partition_point(|p| p.0 < hour + HOUR);
        let txn = db.begin_write().unwrap();
        {
            let mut t = txn.open_table(TABLE).unwrap();
            let got = store(&mut t, id, (hour, hour + HOUR), &points[i..i + n], how).unwrap();
            assert_eq!(got, &points[i..i + n], "the hour's points come back");
        }
        txn.commit().unwrap();
        i += n;
    }
}

/// A stored piece: key, points, encoded length.
type Piece = (i64, Vec<(i64, f64)>, usize);

/// Every piece of a series, in order.
fn pieces(db: &Database, id: u32) -> Vec<Piece> {
    let txn = db.begin_read().unwrap();
    let t = txn.open_table(TABLE).unwrap();
    t.range((id, i64::MIN)..=(id, i64::MAX))
        .unwrap()
        .map(|r| {
            let (k, v) = r.unwrap();
            (k.value().1, (raw().decode)(v.value()).unwrap(), v.value().len())
        })
        .collect()
}

fn check_layout(all: &[Piece]) {
    for (i, (key, points, len)) in all.iter().enumerate() {
        assert_eq!(points[0].0, *key, "a piece is keyed by its first point");
        assert!(*len <= PIECE_BYTES);
        assert!(points.last().unwrap().0 < key + PIECE_SPAN_MS);
        if let Some((next, ..)) = all.get(i + 1) {
            assert!(points.last().unwrap().0 < *next, "pieces do not overlap");
        }
    }
}

#[test]
fn a_full_piece_takes_one_page() {
    // Alone in the table, so no branch page blurs the count.
    let wasted = |len: usize| {
        let db = db();
        let txn = db.begin_write().unwrap();
        let stats = {
            let mut t = txn.open_table(TABLE).unwrap();
            t.insert((1, 0), vec![7u8; len].as_slice()).unwrap();
            t.stats().unwrap()
        };
        txn.abort().unwrap();
        (stats.leaf_pages(), stats.fragmented_bytes())
    };
    assert_eq!(wasted(PIECE_BYTES), (1, 0), "a full piece fills its page exactly");
    let (pages, bytes) = wasted(PIECE_BYTES + 1);
    assert!(pages == 1 && bytes > 4_000, "a byte more and the piece takes an 8 KiB page");
}

#[test]
fn hours_fill_pieces_to_the_page_and_come_back_whole() {
    let db = db();
    let points = noisy(T0, T0 + 30 * HOUR, 5_000, &mut 7);
    store_hours(&db, 1, &points);
    let all = pieces(&db, 1);
    check_layout(&all);
    assert!(all.len() >= 5, "{} pieces", all.len());
    for (_, _, len) in &all[..all.len() - 1] {
        assert!(*len > PIECE_BYTES - 64, "a cut piece is full: {len} bytes");
    }
    for pair in all.windows(2) {
        let (last, next) = (pair[0].1.last().unwrap().0, pair[1].0);
        assert_ne!(last.div_euclid(MINUTE_MS), next.div_euclid(MINUTE_MS), "minutes stay whole");
    }
    let stored: Vec<(i64, f64)> = all.into_iter().flat_map(|p| p.1).collect();
    assert_eq!(stored, points);
}

#[test]
fn late_points_are_merged_into_the_piece_covering_them() {
    let db = db();
    let points = noisy(T0, T0 + 20 * HOUR, 5_000, &mut 11);
    store_hours(&db, 1, &points);
    store_hours(&db, 2, &points[..100]);
    let before = pieces(&db, 1);
    // Into the middle of the first piece: one replaces a sample, one is new.
    let inside = before[0].1[before[0].1.len() / 2].0;
    let late = vec![(inside, 555.5), (inside + 1, 666.6)];
    let hour = inside.div_euclid(HOUR) * HOUR;
    let txn = db.begin_write().unwrap();
    {
        let mut t = txn.open_table(TABLE).unwrap();
        let got = store(&mut t, 1, (hour, hour + HOUR), &late, raw()).unwrap();
        assert_eq!(got.len(), 721, "the whole hour, with the new point");
    }
    txn.commit().unwrap();
    let after = pieces(&db, 1);
    check_layout(&after);
    let want = raw().merge;
    let want = want(points.clone(), &late);
    let stored: Vec<(i64, f64)> = after.into_iter().flat_map(|p| p.1).collect();
    assert_eq!(stored, want);
    assert_eq!(
        pieces(&db, 2).into_iter().flat_map(|p| p.1).collect::<Vec<_>>(),
        &points[..100],
        "other series untouched"
    );
}

#[test]
fn a_constant_series_starts_a_piece_a_day() {
    let db = db();
    let points: Vec<(i64, f64)> = (T0..T0 + 3 * PIECE_SPAN_MS).step_by(5_000).map(|ts| (ts, 42.0)).collect();
    store_hours(&db, 1, &points);
    let all = pieces(&db, 1);
    check_layout(&all);
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|p| p.2 < 64), "a day of a constant is a few bytes");
}

#[test]
fn a_minute_too_big_for_a_page_is_cut_inside() {
    let db = db();
    // 60,000 samples in one minute: no minute boundary to cut at.
    let points = noisy(T0, T0 + MINUTE_MS, 1, &mut 3);
    let txn = db.begin_write().unwrap();
    {
        let mut t = txn.open_table(TABLE).unwrap();
        store(&mut t, 1, (T0, T0 + HOUR), &points, raw()).unwrap();
    }
    txn.commit().unwrap();
    let all = pieces(&db, 1);
    check_layout(&all);
    assert!(all.len() > 10);
    assert_eq!(all.into_iter().flat_map(|p| p.1).collect::<Vec<_>>(), points);
}

#[test]
fn an_unreadable_piece_is_replaced_not_fatal() {
    let db = db();
    let txn = db.begin_write().unwrap();
    {
        let mut t = txn.open_table(TABLE).unwrap();
        t.insert((1, T0), [0xFFu8, 1, 2].as_slice()).unwrap();
        let got = store(&mut t, 1, (T0, T0 + HOUR), &[(T0 + 5, 1.0)], raw()).unwrap();
        assert_eq!(got, vec![(T0 + 5, 1.0)]);
        assert_eq!(t.len().unwrap(), 1);
        assert!(t.get((1, T0)).unwrap().is_none(), "the bad piece is gone");
    }
    txn.abort().unwrap();
}
