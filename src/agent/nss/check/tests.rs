use std::path::Path;

use super::*;

const LOCAL_PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
    # a comment\n\
    \n\
    garbage line without fields\n\
    daemon:x:1:1::/:/usr/sbin/nologin\n\
    local:x:20500:20500:A local user:/home/local:/bin/bash\n\
    +nis::::::\n";
const LOCAL_GROUP: &str = "root:x:0:\nshadow:x:42:\nsudo:x:27:local\nlocalgrp:x:20600:\nbroken\n";

fn local() -> Local {
    Local::parse(Path::new("/etc/passwd"), LOCAL_PASSWD, Path::new("/etc/group"), LOCAL_GROUP)
}

const PASSWD: &str = "alice:x:20001:20001:Alice Liddell:/home/alice:/bin/bash\n\
    bob:x:20002:20002::/home/bob:/bin/sh\n";
const GROUP: &str = "alice:x:20001:\nbob:x:20002:\nsteward-sudo:x:20000:alice,bob\n";
const SHADOW: &str = "alice:$2b$12$abc:20050::::::\nbob:!:20050:0:99999:7:::\n";

fn bundle(passwd: &str, group: &str, shadow: &str, keys: &[(&str, &[&str])]) -> Bundle {
    let keys: BTreeMap<String, Vec<String>> =
        keys.iter().map(|(u, k)| (u.to_string(), k.iter().map(|s| s.to_string()).collect())).collect();
    Bundle::of(passwd, group, shadow, keys)
}

fn run(b: &Bundle) -> Result<Files, BundleError> {
    check(b, &(20000..=59999), &local())
}

fn refused(passwd: &str, group: &str, shadow: &str, keys: &[(&str, &[&str])]) -> String {
    run(&bundle(passwd, group, shadow, keys)).unwrap_err().to_string()
}

const ALICE_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA alice@laptop";

#[test]
fn a_good_bundle_becomes_its_files() {
    let files =
        run(&bundle(PASSWD, GROUP, SHADOW, &[("alice", &[ALICE_KEY, "ssh-rsa AAAAB3 x"]), ("bob", &[])])).unwrap();
    assert_eq!(files.passwd, PASSWD);
    assert_eq!(files.group, GROUP);
    assert_eq!(files.shadow, SHADOW);
    assert_eq!(files.authorized_keys, format!("alice\t{ALICE_KEY}\nalice\tssh-rsa AAAAB3 x\n"));
}

#[test]
fn empty_files_are_a_valid_bundle() {
    let files = run(&bundle("", "", "", &[])).unwrap();
    assert_eq!(files, Files { passwd: "".into(), group: "".into(), shadow: "".into(), authorized_keys: "".into() });
}

#[test]
fn every_non_empty_file_ends_with_a_newline() {
    let cut = PASSWD.trim_end();
    assert_eq!(refused(cut, GROUP, SHADOW, &[]), "passwd does not end with a newline");
    assert_eq!(refused(PASSWD, GROUP.trim_end(), SHADOW, &[]), "group does not end with a newline");
    assert_eq!(refused(PASSWD, GROUP, SHADOW.trim_end(), &[]), "shadow does not end with a newline");
}

#[test]
fn field_counts_are_exact() {
    let six = format!("{PASSWD}carol:x:20003:20003:/home/carol:/bin/sh\n");
    assert_eq!(refused(&six, GROUP, SHADOW, &[]), "passwd line 3 has 6 fields, expected 7");
    let eight = "alice:x:20001:20001:A:/home/alice:/bin/bash:extra\n";
    assert_eq!(refused(eight, GROUP, "", &[]), "passwd line 1 has 8 fields, expected 7");
    assert_eq!(refused(PASSWD, "alice:x:20001\n", "", &[]), "group line 1 has 3 fields, expected 4");
    assert_eq!(refused(PASSWD, GROUP, "alice:h:1:::::\n", &[]), "shadow line 1 has 8 fields, expected 9");
    assert_eq!(refused(&format!("{PASSWD}\n"), GROUP, "", &[]), "passwd line 3 is empty");
    let cr = "alice:x:20001:20001:A\r:/home/alice:/bin/bash\n";
    assert_eq!(refused(cr, GROUP, "", &[]), "passwd line 1 contains a control character");
}

#[test]
fn names_are_checked_in_every_file() {
    let upper = PASSWD.replace("bob:", "Bob:");
    assert_eq!(refused(&upper, GROUP, "", &[]), "passwd line 2 has the name \"Bob\", which is not a valid name");
    let dotted = GROUP.replace("steward-sudo", "steward.sudo");
    assert!(refused(PASSWD, &dotted, "", &[]).starts_with("group line 3 has the name \"steward.sudo\""));
}

#[test]
fn ids_are_numbers_inside_the_agents_range() {
    let low = PASSWD.replace("bob:x:20002", "bob:x:1000");
    assert_eq!(refused(&low, GROUP, "", &[]), "uid 1000 of \"bob\" is outside 20000-59999");
    let high_gid = PASSWD.replace("20002:20002", "20002:60000");
    assert_eq!(refused(&high_gid, GROUP, "", &[]), "gid 60000 of \"bob\" is outside 20000-59999");
    let word = PASSWD.replace("bob:x:20002", "bob:x:twenty");
    assert_eq!(refused(&word, GROUP, "", &[]), "passwd line 2 has uid \"twenty\", not a number");
    let neg = PASSWD.replace("bob:x:20002", "bob:x:-1");
    assert_eq!(refused(&neg, GROUP, "", &[]), "passwd line 2 has uid \"-1\", not a number");
    let plus = PASSWD.replace("bob:x:20002", "bob:x:+20002");
    assert_eq!(refused(&plus, GROUP, "", &[]), "passwd line 2 has uid \"+20002\", not a number");
    let group_low = GROUP.replace("steward-sudo:x:20000", "steward-sudo:x:27");
    assert_eq!(refused(PASSWD, &group_low, "", &[]), "gid 27 of group \"steward-sudo\" is outside 20000-59999");
    // The bundle's own range is informative: it cannot widen the agent's.
    let mut wide = bundle(&low, GROUP, "", &[]);
    (wide.uid_min, wide.uid_max) = (0, u32::MAX - 1);
    assert!(run(&wide).is_err());
}

#[test]
fn nothing_is_given_twice() {
    let twice = format!("{PASSWD}alice:x:20003:20001::/home/a:/bin/sh\n");
    assert_eq!(refused(&twice, GROUP, "", &[]), "user \"alice\" appears twice in passwd");
    let same_uid = format!("{PASSWD}carol:x:20001:20001::/home/c:/bin/sh\n");
    assert_eq!(refused(&same_uid, GROUP, "", &[]), "uid 20001 is given to both \"alice\" and \"carol\"");
    let same_group = format!("{GROUP}alice:x:20009:\n");
    assert_eq!(refused(PASSWD, &same_group, "", &[]), "group \"alice\" appears twice in group");
    let same_gid = format!("{GROUP}other:x:20002:\n");
    assert_eq!(refused(PASSWD, &same_gid, "", &[]), "gid 20002 is given to both group \"bob\" and group \"other\"");
    let shadow_twice = format!("{SHADOW}alice:!:1::::::\n");
    assert_eq!(refused(PASSWD, GROUP, &shadow_twice, &[]), "user \"alice\" appears twice in shadow");
}

#[test]
fn local_accounts_are_never_shadowed() {
    let root = format!("{PASSWD}root:x:20003:20001::/root:/bin/bash\n");
    assert_eq!(refused(&root, GROUP, "", &[]), "user \"root\" collides with a local account in /etc/passwd");
    let uid = format!("{PASSWD}carol:x:20500:20001::/home/c:/bin/sh\n");
    assert_eq!(refused(&uid, GROUP, "", &[]), "uid 20500 of \"carol\" collides with a local account in /etc/passwd");
    let sudo = format!("{GROUP}sudo:x:20010:alice\n");
    assert_eq!(refused(PASSWD, &sudo, "", &[]), "group \"sudo\" collides with a local group in /etc/group");
    let gid = format!("{GROUP}team:x:20600:\n");
    assert_eq!(refused(PASSWD, &gid, "", &[]), "gid 20600 of group \"team\" collides with a local group in /etc/group");
    assert_eq!(local().gid("shadow"), Some(42));
    assert_eq!(local().gid("broken"), None);
}

#[test]
fn references_stay_inside_the_bundle() {
    let orphan = PASSWD.replace("20002:20002", "20002:20005");
    assert_eq!(refused(&orphan, GROUP, "", &[]), "gid 20005 of \"bob\" is not a group of the bundle");
    let member = GROUP.replace("alice,bob", "alice,local");
    assert_eq!(
        refused(PASSWD, &member, "", &[]),
        "member \"local\" of group \"steward-sudo\" is not a user of the bundle"
    );
    let stranger = format!("{SHADOW}carol:!:1::::::\n");
    assert_eq!(refused(PASSWD, GROUP, &stranger, &[]), "shadow line 3 is for \"carol\", who is not in passwd");
    assert_eq!(
        refused(PASSWD, GROUP, "", &[("carol", &[ALICE_KEY])]),
        "keys are given for \"carol\", who is not in passwd"
    );
}

#[test]
fn passwords_stay_out_of_passwd_and_are_never_empty() {
    let hash = PASSWD.replace("alice:x:", "alice:$2b$12$abc:");
    assert_eq!(
        refused(&hash, GROUP, "", &[]),
        "passwd line 1 has something other than x in the password field of \"alice\""
    );
    let group_pw = GROUP.replace("bob:x:", "bob:secret:");
    assert_eq!(
        refused(PASSWD, &group_pw, "", &[]),
        "group line 2 has a password in the password field of group \"bob\""
    );
    let empty = "alice::20050::::::\n";
    assert_eq!(refused(PASSWD, GROUP, empty, &[]), "shadow line 1 leaves the password of \"alice\" empty");
    let days = "alice:!:soon::::::\n";
    assert_eq!(
        refused(PASSWD, GROUP, days, &[]),
        "shadow line 1 has \"soon\" in field 3, expected a number or nothing"
    );
    let relative = PASSWD.replace("/home/bob", "home/bob");
    assert_eq!(refused(&relative, GROUP, "", &[]), "home \"home/bob\" of \"bob\" is not an absolute path");
}

#[test]
fn keys_are_single_lines_of_known_types() {
    let two_lines = "ssh-ed25519 AAAA a\nssh-ed25519 BBBB b";
    assert_eq!(
        refused(PASSWD, GROUP, "", &[("alice", &[ALICE_KEY, two_lines])]),
        "key 2 of \"alice\" contains a line break or another control character"
    );
    let options = "command=\"/bin/sh\" ssh-ed25519 AAAA";
    assert!(
        refused(PASSWD, GROUP, "", &[("alice", &[options])])
            .starts_with("key 1 of \"alice\" does not start with a known key type")
    );
    assert_eq!(refused(PASSWD, GROUP, "", &[("alice", &["ssh-ed25519"])]), "key 1 of \"alice\" has a type but no key");
    for kind in KEY_TYPES {
        let key = format!("{kind} AAAA comment");
        assert!(run(&bundle(PASSWD, GROUP, "", &[("bob", &[&key])])).is_ok(), "{kind}");
    }
}
