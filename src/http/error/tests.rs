use super::*;

#[test]
fn internal_errors_hide_their_cause() {
    let (s, b, _) = answer(StoreError::Corrupt("secret detail about the file".into()).into());
    assert_eq!(s, 500);
    assert_eq!(b["code"], "internal");
    assert!(!b["message"].as_str().unwrap().contains("secret detail"));
}

#[test]
fn identity_refusals_map() {
    let (s, b, _) = answer(Forbidden { needed: "admin" }.into());
    assert_eq!((s, b["code"].as_str().unwrap()), (403, "auth.forbidden"));
    let (s, b, _) = answer(UnknownOrg(crate::caller::OrgId(9)).into());
    assert_eq!(
        (s, b["code"].as_str().unwrap(), b["message"].as_str().unwrap()),
        (404, "orgs.not_found", "organization 9 not found")
    );
}
