//! Tests of queries: who sees which organization's entries, filters, and cursor paging.

use super::*;

fn scope(org: u64, role: Role) -> Scope {
    Scope { org: OrgId(org), role, actor: person("reader") }
}

fn seqs(page: &Page) -> Vec<u64> {
    page.entries.iter().map(|e| e.seq).collect()
}

fn two_orgs() -> Store {
    let s = store();
    record_as(&s, t0(), 1, "alice", "user.create", "bob");
    record_as(&s, t0(), 2, "carol", "user.create", "dave");
    record_as(&s, t0(), 1, "alice", "user.delete", "bob");
    record_as(&s, t0(), 2, "carol", "org.create", "two");
    s
}

#[tokio::test]
async fn query_is_scoped_by_role_and_organization() {
    let s = two_orgs();
    let all = Filter::default();
    let page = query(&s, &scope(1, Role::Admin), all.clone()).await.expect("admin query");
    assert_eq!((seqs(&page), page.next_cursor), (vec![3, 1], None));
    let page = query(&s, &scope(1, Role::Superadmin), all.clone()).await.expect("superadmin query");
    assert_eq!(seqs(&page), vec![4, 3, 2, 1]);
    let only_two = Filter { org: Some(OrgId(2)), ..Filter::default() };
    let page = query(&s, &scope(1, Role::Superadmin), only_two.clone()).await.expect("one org");
    assert_eq!(seqs(&page), vec![4, 2]);
    let page = query(&s, &scope(1, Role::Admin), only_two).await.expect("other org");
    assert!(page.entries.is_empty());
    for role in [Role::Viewer, Role::Operator] {
        let err = query(&s, &scope(1, role), all.clone()).await.expect_err("not an admin");
        assert!(matches!(err, AuditError::Forbidden(_)), "{err:?}");
    }
}

#[tokio::test]
async fn query_filters() {
    let s = two_orgs();
    record_as(&s, t0() + Duration::hours(2), 1, "alice", "users.purge", "x");
    let admin = scope(1, Role::Superadmin);
    let run = |f: Filter| {
        let (s, admin) = (s.clone(), admin.clone());
        async move { seqs(&query(&s, &admin, f).await.expect("query")) }
    };
    assert_eq!(run(Filter { actor: Some("carol".into()), ..Filter::default() }).await, vec![4, 2]);
    assert_eq!(run(Filter { action: Some("user".into()), ..Filter::default() }).await, vec![3, 2, 1]);
    assert_eq!(run(Filter { action: Some("user.delete".into()), ..Filter::default() }).await, vec![3]);
    assert_eq!(run(Filter { target: Some("bob".into()), ..Filter::default() }).await, vec![3, 1]);
    let later = t0() + Duration::hours(1);
    assert_eq!(run(Filter { from: Some(later), ..Filter::default() }).await, vec![5]);
    assert_eq!(run(Filter { to: Some(later), ..Filter::default() }).await, vec![4, 3, 2, 1]);
    assert_eq!(run(Filter { to: Some(t0()), ..Filter::default() }).await, Vec::<u64>::new());
}

#[tokio::test]
async fn query_pages_with_a_cursor() {
    let s = store();
    for _ in 0..5 {
        record(&s, t0());
    }
    let admin = scope(1, Role::Admin);
    let mut filter = Filter { limit: 2, ..Filter::default() };
    let mut pages = Vec::new();
    loop {
        let page = query(&s, &admin, filter.clone()).await.expect("page");
        pages.push(seqs(&page));
        match page.next_cursor {
            Some(c) => filter.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(pages, vec![vec![5, 4], vec![3, 2], vec![1]]);
    let one = query(&s, &admin, Filter { limit: 0, ..Filter::default() }).await.expect("limit 0");
    assert_eq!((seqs(&one), one.next_cursor), (vec![5], Some(5)));
    let capped = query(&s, &admin, Filter { limit: 100_000, ..Filter::default() }).await.expect("huge limit");
    assert_eq!(capped.entries.len(), 5);
}
