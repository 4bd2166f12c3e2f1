use super::*;

#[test]
fn usernames_are_posix_safe_and_not_system_accounts() {
    for ok in ["alice", "_svc", "bob-2", "a", "x_y"] {
        assert!(Username::try_from(ok.to_string()).is_ok(), "{ok}");
    }
    for bad in ["", "Alice", "1abc", "-x", "al ice", "al:ice", "éva", "a\u{7}", &"a".repeat(33)] {
        assert!(matches!(Username::try_from(bad.to_string()), Err(UserError::InvalidUsername(_))), "{bad:?}");
    }
    assert!(matches!(Username::try_from("root".to_string()), Err(UserError::ReservedUsername(_))));
}

#[test]
fn the_password_policy_names_what_is_wrong() {
    assert!(Password::new("tr0ub4dor&3-horse", "alice").is_ok());
    assert!(matches!(Password::new("short-pw", "alice"), Err(UserError::PasswordTooShort)));
    assert!(matches!(Password::new(&"x".repeat(73), "alice"), Err(UserError::PasswordTooLong(73))));
    assert!(Password::new(&"é".repeat(36), "alice").is_ok(), "72 bytes is the limit, not 72 characters");
    assert!(matches!(Password::new("administrator", "administrator"), Err(UserError::PasswordIsUsername)));
    assert!(matches!(Password::new("111111111111", "alice"), Err(UserError::PasswordTooCommon)));
}

#[test]
fn generated_passwords_pass_the_policy() {
    let p = password::generate(24).unwrap();
    assert_eq!(p.chars().count(), 24);
    assert!(Password::new(&p, "admin").is_ok());
}

#[test]
fn emails_and_display_names_are_checked() {
    assert_eq!(Email::try_from(" Bob@Example.COM ".to_string()).unwrap().as_str(), "bob@example.com");
    for bad in ["bob", "bob@", "@x.y", "a b@x.y", "a@b@c.d", "a:b@x.y"] {
        assert!(Email::try_from(bad.to_string()).is_err(), "{bad}");
    }
    assert!(DisplayName::try_from("Zoë Ångström 王".to_string()).is_ok());
    assert!(DisplayName::try_from("a:b".to_string()).is_err());
    assert!(DisplayName::try_from("a\nb".to_string()).is_err());
}
