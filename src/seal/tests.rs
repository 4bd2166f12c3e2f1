use super::*;
use crate::store::{Migration, Store};

fn store() -> Store {
    Store::in_memory(&[Migration { version: 1, name: "seal", apply: create_tables }]).unwrap()
}

#[test]
fn a_secret_round_trips_and_is_bound_to_its_record() {
    let store = store();
    let sealer = Sealer::new(MasterKey::generate().unwrap());
    let a = SecretRef::new("hosts", 1, "password");
    let b = SecretRef::new("hosts", 2, "password");
    store.write_sync(|txn| sealer.put(txn, &a, b"hunter2-but-longer")).unwrap();
    let got = store.read_sync(|txn| sealer.get(&txn.open_table(SEALED)?, &a)).unwrap().unwrap();
    assert_eq!(got.as_slice(), b"hunter2-but-longer");

    // Copy the sealed bytes onto another record: they must not open there.
    store
        .write_sync(|txn| {
            let mut t = txn.open_table(SEALED)?;
            let raw = t.get(a.row_key().as_str())?.unwrap().value().to_vec();
            t.insert(b.row_key().as_str(), raw.as_slice())?;
            Ok::<_, SealError>(())
        })
        .unwrap();
    let err = store.read_sync(|txn| sealer.get(&txn.open_table(SEALED)?, &b)).unwrap_err();
    assert!(matches!(err, SealError::Tampered(_)), "{err}");
}

#[test]
fn another_key_does_not_open_and_says_so() {
    let store = store();
    let one = Sealer::new(MasterKey::generate().unwrap());
    let two = Sealer::new(MasterKey::generate().unwrap());
    let at = SecretRef::new("t", "x", "f");
    store.write_sync(|txn| one.put(txn, &at, b"s")).unwrap();
    let err = store.read_sync(|txn| two.get(&txn.open_table(SEALED)?, &at)).unwrap_err();
    assert!(matches!(err, SealError::WrongKey(..)), "{err}");
}

#[test]
fn hex_keys_are_checked() {
    assert!(MasterKey::from_hex(&"0f".repeat(32)).is_ok());
    assert!(MasterKey::from_hex("abc").is_err());
    assert!(MasterKey::from_hex(&"zz".repeat(32)).is_err());
    let k = MasterKey::from_hex(&"0f".repeat(32)).unwrap();
    assert_eq!(k.id().len(), 16);
    assert!(!k.id().contains("0f0f0f"));
}
