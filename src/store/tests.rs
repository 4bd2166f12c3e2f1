use super::*;

fn migrations() -> Vec<Migration> {
    vec![
        Migration {
            version: 1,
            name: "one",
            apply: |txn| txn.open_table(TableDefinition::<u64, u64>::new("a")).map(drop).map_err(Into::into),
        },
        Migration {
            version: 2,
            name: "two",
            apply: |txn| txn.open_table(TableDefinition::<u64, u64>::new("b")).map(drop).map_err(Into::into),
        },
    ]
}

#[test]
fn migrations_run_in_order_and_once() {
    let store = Store::in_memory(&migrations()).unwrap();
    assert_eq!(store.schema_version().unwrap(), 2);
    let ids: Vec<u64> = (0..3).map(|_| store.write_sync(|txn| next_id(txn, "x")).unwrap()).collect();
    assert_eq!(ids, vec![1, 2, 3]);
}

#[test]
fn a_newer_store_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.redb");
    drop(Store::open(&path, 1 << 20, &migrations()).unwrap());
    let err = Store::open(&path, 1 << 20, &migrations()[..1]).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::TooNew { found: 2, supported: 1, .. }), "{msg}");
    assert!(msg.contains("s.redb"), "{msg}");
}

#[test]
fn a_foreign_or_truncated_file_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.redb");
    std::fs::write(&junk, b"this is not a database at all, just some bytes".repeat(100)).unwrap();
    let msg = Store::open(&junk, 1 << 20, &migrations()).unwrap_err().to_string();
    assert!(msg.contains("junk.redb"), "{msg}");

    let good = dir.path().join("good.redb");
    drop(Store::open(&good, 1 << 20, &migrations()).unwrap());
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.path().join("cut.redb");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let msg = Store::open(&cut, 1 << 20, &migrations()).unwrap_err().to_string();
    assert!(msg.contains("cut.redb"), "{msg}");

    let other = dir.path().join("other.redb");
    {
        let db = Database::create(&other).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(TableDefinition::<u64, u64>::new("someone_elses")).unwrap().insert(1, 2).unwrap();
        txn.commit().unwrap();
    }
    let err = Store::open(&other, 1 << 20, &migrations()).unwrap_err();
    assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
}

#[actix_web::test]
async fn async_wrappers_commit_only_on_ok() {
    let store = Store::in_memory(&migrations()).unwrap();
    let t = TableDefinition::<u64, u64>::new("a");
    store
        .write(move |txn| {
            txn.open_table(t)?.insert(1, 10)?;
            Ok::<_, StoreError>(())
        })
        .await
        .unwrap();
    let failed: Result<(), StoreError> = store
        .write(move |txn| {
            txn.open_table(t)?.insert(2, 20)?;
            Err(StoreError::Corrupt("abort".into()))
        })
        .await;
    assert!(failed.is_err());
    let rows = store
        .read(move |txn| {
            use redb::ReadableTableMetadata;
            Ok::<_, StoreError>(txn.open_table(t)?.len()?)
        })
        .await
        .unwrap();
    assert_eq!(rows, 1);
}
