use reviewpoint::{
    db::{ConflictKind, DbError},
    domain::{ContentType, Email, FileChanges, Filename, NewFile, PasswordHash, Principal, UserChanges},
    migrate::schema_snapshot,
    repo::{Caller, FileRepository, UserRepository, UserSeen},
};

use crate::helpers::{NOBODY, TestDb, sign_in};

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";

fn email(text: &str) -> Email {
    Email::parse(text).expect("valid email")
}

fn new_file(name: &str) -> NewFile {
    NewFile {
        filename: Filename::parse(name).expect("valid name"),
        content_type: ContentType::parse("application/pdf").expect("valid type"),
    }
}

#[tokio::test]
async fn a_user_goes_through_create_read_update_delete() {
    let db = TestDb::new().await;
    let client = db.pool().get().await.expect("connection");

    let created = UserRepository::create(&client, &email("Ann@Example.com"), &PasswordHash::new(HASH.into()))
        .await
        .expect("create");
    assert_eq!((created.email.as_str(), created.is_active), ("Ann@Example.com", true));
    assert_eq!(created.created_at, created.updated_at);
    assert_eq!(UserRepository::by_id(&client, created.id).await.expect("read"), Some(created.clone()));

    let ann = sign_in(&client, created.id).await;
    let changes = UserChanges { email: Some(email("ann@example.org")), is_active: Some(false), ..Default::default() };
    let Caller::Active(updated) = UserRepository::update(&client, ann, &changes).await.expect("update") else {
        panic!("the user is active")
    };
    assert_eq!((updated.email.as_str(), updated.is_active), ("ann@example.org", false));
    assert!(updated.updated_at > created.updated_at, "updated_at moves forward");
    assert_eq!(updated.created_at, created.created_at);

    let changes = UserChanges { is_active: Some(true), ..Default::default() };
    assert_eq!(UserRepository::update(&client, ann, &changes).await.expect("update"), Caller::Inactive, "inactive now");
    let other = UserRepository::create(&client, &email("bo@example.com"), &PasswordHash::new(HASH.into()))
        .await
        .expect("create");
    let bo = sign_in(&client, other.id).await;
    assert_eq!(UserRepository::delete(&client, bo).await.expect("delete"), Caller::Active(()));
    assert_eq!(UserRepository::by_id(&client, other.id).await.expect("read"), None);
    assert_eq!(UserRepository::delete(&client, bo).await.expect("delete again"), Caller::Inactive);
}

#[tokio::test]
async fn updated_at_moves_forward_on_every_update_even_within_one_transaction() {
    let db = TestDb::new().await;
    let mut client = db.pool().get().await.expect("connection");
    let user = UserRepository::create(&client, &email("a@example.com"), &PasswordHash::new(HASH.into()))
        .await
        .expect("create");
    let caller = sign_in(&client, user.id).await;

    let (first, second) = reviewpoint::db::in_transaction(&mut client, async |tx| {
        let activate = UserChanges { is_active: Some(true), ..Default::default() };
        let first = UserRepository::update(tx, caller, &activate).await?;
        let second = UserRepository::update(tx, caller, &activate).await?;
        Ok::<_, DbError>((first, second))
    })
    .await
    .expect("committed");

    let (Caller::Active(first), Caller::Active(second)) = (first, second) else { panic!("the user is active") };
    assert!(user.updated_at < first.updated_at && first.updated_at < second.updated_at);
}

#[tokio::test]
async fn emails_are_unique_regardless_of_letter_case() {
    let db = TestDb::new().await;
    let client = db.pool().get().await.expect("connection");
    let hash = PasswordHash::new(HASH.into());
    UserRepository::create(&client, &email("Ann@Example.com"), &hash).await.expect("first");

    let second = UserRepository::create(&client, &email("ann@EXAMPLE.COM"), &hash).await;

    match second {
        Err(DbError::Conflict { constraint, kind }) => {
            assert_eq!((constraint.as_str(), kind), ("ux_users_email_lower", ConflictKind::Unique));
        }
        other => panic!("expected a unique conflict, got {other:?}"),
    }
    let found = UserRepository::credentials(&client, &email("ANN@example.com")).await.expect("lookup");
    assert!(found.is_some_and(|c| c.password_hash.expose() == HASH), "lookup ignores letter case too");
}

#[tokio::test]
async fn files_are_visible_only_to_their_owner() {
    let db = TestDb::new().await;
    let client = db.pool().get().await.expect("connection");
    let hash = PasswordHash::new(HASH.into());
    let owner = UserRepository::create(&client, &email("owner@example.com"), &hash).await.expect("owner");
    let other = UserRepository::create(&client, &email("other@example.com"), &hash).await.expect("other");
    let (owner_id, owner, other) = (owner.id, sign_in(&client, owner.id).await, sign_in(&client, other.id).await);

    let Caller::Active(file) = FileRepository::create(&client, owner, &new_file("a.pdf")).await.expect("create") else {
        panic!("the owner is active")
    };
    assert_eq!(
        (file.filename.as_str(), file.content_type.as_str(), file.user_id),
        ("a.pdf", "application/pdf", owner_id)
    );

    let rename = FileChanges { filename: Some(Filename::parse("b.pdf").expect("valid")), ..Default::default() };
    assert_eq!(FileRepository::get(&client, other, file.id).await.expect("get"), Caller::Active(None));
    assert_eq!(FileRepository::update(&client, other, file.id, &rename).await.expect("update"), None);
    assert!(!FileRepository::delete(&client, other, file.id).await.expect("delete"));

    assert_eq!(FileRepository::get(&client, owner, file.id).await.expect("get"), Caller::Active(Some(file.clone())));
    let renamed = FileRepository::update(&client, owner, file.id, &rename).await.expect("update").expect("owned");
    assert_eq!((renamed.filename.as_str(), renamed.content_type.as_str()), ("b.pdf", "application/pdf"));
    assert!(renamed.updated_at > file.updated_at);
    assert!(FileRepository::delete(&client, owner, file.id).await.expect("delete"));
    assert_eq!(FileRepository::get(&client, owner, file.id).await.expect("get"), Caller::Active(None));
    assert_eq!(FileRepository::get(&client, NOBODY, file.id).await.expect("get"), Caller::Inactive);
}

#[tokio::test]
async fn a_user_who_owns_files_cannot_be_deleted_and_nothing_is_lost() {
    let db = TestDb::new().await;
    let client = db.pool().get().await.expect("connection");
    let owner = UserRepository::create(&client, &email("owner@example.com"), &PasswordHash::new(HASH.into()))
        .await
        .expect("owner");
    let caller = sign_in(&client, owner.id).await;
    FileRepository::create(&client, caller, &new_file("a.pdf")).await.expect("file");

    let deleted = UserRepository::delete(&client, caller).await;

    assert!(
        matches!(&deleted, Err(DbError::Conflict { kind: ConflictKind::ForeignKey, constraint }) if constraint == "files_user_id_fkey"),
        "{deleted:?}"
    );
    assert!(UserRepository::by_id(&client, owner.id).await.expect("read").is_some());
    let Caller::Active(page) = FileRepository::page(&client, caller, None, 10).await.expect("read") else {
        panic!("the owner is active")
    };
    assert_eq!(page.items.len(), 1);
}

#[tokio::test]
async fn a_caller_sees_their_own_account_only_while_active_and_nothing_of_anyone_else() {
    let db = TestDb::new().await;
    let client = db.pool().get().await.expect("connection");
    let create = async |address| {
        UserRepository::create(&client, &email(address), &PasswordHash::new(HASH.into())).await.expect("user")
    };
    let (ann, bob) = (create("ann@example.com").await, create("bob@example.com").await);
    let as_ann = sign_in(&client, ann.id).await;
    let ann = UserRepository::by_id(&client, ann.id).await.expect("read").expect("exists");
    let seen = async |caller, target| UserRepository::seen_by(&client, caller, target).await.expect("read");

    assert_eq!(seen(as_ann, ann.id).await, Caller::Active(UserSeen::Yourself(ann.clone())));
    assert_eq!(seen(as_ann, bob.id).await, Caller::Active(UserSeen::SomeoneElse));
    assert_eq!(seen(as_ann, 999_999).await, Caller::Active(UserSeen::Nobody));
    assert_eq!(seen(NOBODY, bob.id).await, Caller::Inactive, "a caller who does not exist");
    let bobs_session = Principal { user_id: ann.id, ..sign_in(&client, bob.id).await };
    assert_eq!(seen(bobs_session, bob.id).await, Caller::Inactive, "a session of someone else");

    let deactivate = UserChanges { is_active: Some(false), ..Default::default() };
    UserRepository::update(&client, as_ann, &deactivate).await.expect("deactivate");
    for target in [ann.id, bob.id, 999_999] {
        assert_eq!(seen(as_ann, target).await, Caller::Inactive, "an inactive caller learns nothing of {target}");
    }
}

#[tokio::test]
async fn a_file_needs_an_existing_active_owner() {
    let db = TestDb::new().await;
    let client = db.pool().get().await.expect("connection");
    let owner =
        UserRepository::create(&client, &email("o@example.com"), &PasswordHash::new(HASH.into())).await.expect("owner");
    let owner = sign_in(&client, owner.id).await;
    let deactivate = UserChanges { is_active: Some(false), ..Default::default() };
    UserRepository::update(&client, owner, &deactivate).await.expect("deactivate");

    let for_nobody = FileRepository::create(&client, NOBODY, &new_file("a.pdf")).await.expect("create");
    let for_inactive = FileRepository::create(&client, owner, &new_file("a.pdf")).await.expect("create");

    assert_eq!(for_nobody, Caller::Inactive);
    assert_eq!(for_inactive, Caller::Inactive);
}

#[tokio::test]
async fn files_page_newest_first_without_duplicates_or_gaps() {
    let db = TestDb::new().await;
    let client = db.pool().get().await.expect("connection");
    let owner = UserRepository::create(&client, &email("owner@example.com"), &PasswordHash::new(HASH.into()))
        .await
        .expect("owner");
    let owner = sign_in(&client, owner.id).await;
    let mut created = Vec::new();
    for n in 0..5 {
        let Caller::Active(file) =
            FileRepository::create(&client, owner, &new_file(&format!("{n}.pdf"))).await.expect("file")
        else {
            panic!("the owner is active")
        };
        created.push(file.id);
    }

    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let Caller::Active(page) = FileRepository::page(&client, owner, after, 2).await.expect("page") else {
            panic!("the owner is active")
        };
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|f| f.id));
        // A file added mid-way is newer than every cursor: it must not show up later.
        if seen.len() == 2 {
            FileRepository::create(&client, owner, &new_file("late.pdf")).await.expect("file");
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }

    created.reverse();
    assert_eq!(seen, created);
}

#[tokio::test]
async fn the_files_user_id_index_exists_and_leads_with_user_id() {
    let db = TestDb::new().await;
    let client = db.pool().get().await.expect("connection");

    let schema = schema_snapshot(&client).await.expect("catalog");

    assert!(
        schema
            .iter()
            .any(|line| line.starts_with("index CREATE INDEX ix_files_user_id ON public.files USING btree (user_id")),
        "{schema:#?}"
    );
}

#[tokio::test]
async fn models_serialize_to_json_with_utc_timestamps_and_no_hash() {
    let db = TestDb::new().await;
    let client = db.pool().get().await.expect("connection");
    let user =
        UserRepository::create(&client, &email("a@example.com"), &PasswordHash::new(HASH.into())).await.expect("user");
    let caller = sign_in(&client, user.id).await;
    let Caller::Active(file) = FileRepository::create(&client, caller, &new_file("a.pdf")).await.expect("file") else {
        panic!("the owner is active")
    };
    let credentials =
        UserRepository::credentials(&client, &email("a@example.com")).await.expect("read").expect("exists");

    let user_json = serde_json::to_value(&user).expect("serialize");
    let file_json = serde_json::to_value(&file).expect("serialize");

    let keys = |v: &serde_json::Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
    assert_eq!(
        keys(&user_json),
        [
            "avatar_url",
            "bio",
            "created_at",
            "email",
            "id",
            "is_active",
            "last_login_at",
            "name",
            "preferences",
            "updated_at"
        ]
    );
    assert_eq!(keys(&file_json), ["content_type", "created_at", "filename", "id", "updated_at", "user_id"]);
    let created_at = user_json["created_at"].as_str().expect("string");
    assert!(chrono::DateTime::parse_from_rfc3339(created_at).is_ok() && created_at.ends_with('Z'), "{created_at}");
    assert!(!format!("{credentials:?}").contains("argon2"), "Debug hides the hash");
}
