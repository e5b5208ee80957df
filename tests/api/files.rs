use std::collections::HashSet;

use reqwest::Method;
use reviewpoint::repo::{Caller, FileRepository};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, until_waiting_on_locks};

async fn page(app: &TestApp, user: &TestUser, query: &str) -> Value {
    app.call(Method::GET, &format!("/api/v1/files{query}"), Some(&user.token), None).await.expect(200)
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().expect("items").iter().map(|f| f["id"].as_i64().expect("id")).collect()
}

#[tokio::test]
async fn create_file_returns_201_owned_by_the_caller_with_location() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;

    let reply = app
        .call(
            Method::POST,
            "/api/v1/files",
            Some(&ann.token),
            Some(json!({ "filename": "Q3 report.pdf", "content_type": "application/pdf" })),
        )
        .await;

    let file = reply.expect(201);
    assert_eq!(reply.header("location"), Some(format!("/api/v1/files/{}", file["id"]).as_str()));
    assert_eq!(
        (file["filename"].as_str(), file["content_type"].as_str()),
        (Some("Q3 report.pdf"), Some("application/pdf"))
    );
    assert_eq!(file["user_id"], ann.id);
    let keys: Vec<_> = file.as_object().expect("object").keys().cloned().collect();
    assert_eq!(keys, ["content_type", "created_at", "filename", "id", "updated_at", "user_id"]);
    let stored =
        FileRepository::get(&app.pool.get().await.expect("conn"), ann.principal, file["id"].as_i64().expect("id"))
            .await
            .expect("read");
    assert!(matches!(stored, Caller::Active(Some(f)) if f.filename == "Q3 report.pdf"));
}

#[tokio::test]
async fn create_file_answers_422_for_bad_names_and_media_types() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;

    for (body, field) in [
        (json!({ "filename": "", "content_type": "application/pdf" }), "filename"),
        (json!({ "filename": "a".repeat(256), "content_type": "application/pdf" }), "filename"),
        (json!({ "filename": "a.pdf", "content_type": "pdf" }), "content_type"),
        (json!({ "filename": "a.pdf", "content_type": format!("application/{}", "x".repeat(128)) }), "content_type"),
        (json!({ "filename": "a.pdf" }), "content_type"),
        (json!({ "filename": 7, "content_type": "application/pdf" }), "filename"),
    ] {
        let problem = app.call(Method::POST, "/api/v1/files", Some(&ann.token), Some(body.clone())).await.expect(422);
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    app.call(
        Method::POST,
        "/api/v1/files",
        Some(&ann.token),
        Some(json!({ "filename": "a".repeat(255), "content_type": "text/plain; charset=utf-8" })),
    )
    .await
    .expect(201);
    assert_eq!(ids(&page(&app, &ann, "").await).len(), 1, "nothing invalid was stored");
}

#[tokio::test]
async fn files_of_others_answer_404_on_every_id_taking_operation() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let bob = app.user("bob@example.com").await;
    let file = app.file(&ann, "ann.pdf").await;
    let path = format!("/api/v1/files/{}", file["id"]);

    let get = app.call(Method::GET, &path, Some(&bob.token), None).await.expect(404);
    let patch =
        app.call(Method::PATCH, &path, Some(&bob.token), Some(json!({ "filename": "mine.pdf" }))).await.expect(404);
    let delete = app.call(Method::DELETE, &path, Some(&bob.token), None).await.expect(404);
    let missing = app.call(Method::GET, "/api/v1/files/999999", Some(&bob.token), None).await.expect(404);

    assert_eq!(get, missing, "someone else's file looks exactly like no file");
    assert_eq!(patch["detail"], missing["detail"]);
    assert_eq!(delete["detail"], missing["detail"]);
    assert_eq!(app.call(Method::GET, &path, Some(&ann.token), None).await.expect(200), file, "unchanged");
    assert!(ids(&page(&app, &bob, "").await).is_empty());
}

#[tokio::test]
async fn patch_file_changes_only_given_fields_and_moves_updated_at() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let file = app.file(&ann, "draft.pdf").await;
    let path = format!("/api/v1/files/{}", file["id"]);

    let renamed = app
        .call(Method::PATCH, &path, Some(&ann.token), Some(json!({ "filename": "final.pdf", "content_type": null })))
        .await
        .expect(200);
    let retyped = app
        .call(Method::PATCH, &path, Some(&ann.token), Some(json!({ "content_type": "application/x-pdf" })))
        .await
        .expect(200);

    assert_eq!(
        (renamed["filename"].as_str(), renamed["content_type"].as_str()),
        (Some("final.pdf"), Some("application/pdf"))
    );
    assert_eq!(
        (retyped["filename"].as_str(), retyped["content_type"].as_str()),
        (Some("final.pdf"), Some("application/x-pdf"))
    );
    assert!(file["updated_at"].as_str() < renamed["updated_at"].as_str());
    assert!(renamed["updated_at"].as_str() < retyped["updated_at"].as_str());
    assert_eq!(retyped["created_at"], file["created_at"]);
    let problem = app.call(Method::PATCH, &path, Some(&ann.token), Some(json!({ "filename": "" }))).await.expect(422);
    assert_eq!(problem["errors"][0]["field"], "filename");
    let unknown =
        app.call(Method::PATCH, &path, Some(&ann.token), Some(json!({ "filname": "typo.pdf" }))).await.expect(422);
    assert_eq!(unknown["errors"][0]["field"], "filname");
    app.call(Method::PATCH, &path, None, Some(json!({ "filename": "x.pdf" }))).await.expect(401);
}

#[tokio::test]
async fn delete_file_answers_204_then_404() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let file = app.file(&ann, "a.pdf").await;
    let path = format!("/api/v1/files/{}", file["id"]);

    app.call(Method::DELETE, &path, None, None).await.expect(401);
    app.call(Method::DELETE, &path, Some(&ann.token), None).await.expect(204);
    app.call(Method::DELETE, &path, Some(&ann.token), None).await.expect(404);
    app.call(Method::GET, &path, Some(&ann.token), None).await.expect(404);
}

#[tokio::test]
async fn listing_pages_newest_first_with_a_default_of_20() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let mut created = Vec::new();
    for n in 0..25 {
        created.push(app.file(&ann, &format!("{n}.pdf")).await["id"].as_i64().expect("id"));
    }
    created.reverse();

    let first = page(&app, &ann, "").await;
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = page(&app, &ann, &format!("?cursor={cursor}")).await;

    assert_eq!(ids(&first), created[..20]);
    assert_eq!(ids(&second), created[20..]);
    assert!(second["next_cursor"].is_null(), "the last page says so with null");
    let one = page(&app, &ann, "?limit=1").await;
    assert_eq!(ids(&one), created[..1]);
    assert_eq!(ids(&page(&app, &ann, "?limit=100").await), created);
}

#[tokio::test]
async fn pagination_has_no_duplicates_or_gaps_while_files_are_added_and_removed() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let mut existing = Vec::new();
    for n in 0..12 {
        existing.push(app.file(&ann, &format!("{n}.pdf")).await["id"].as_i64().expect("id"));
    }
    let deleted_later = existing[3];

    let mut seen = Vec::new();
    let mut query = "?limit=5".to_owned();
    loop {
        let page = page(&app, &ann, &query).await;
        seen.extend(ids(&page));
        // Meanwhile: a new file (newer than any cursor) and a deletion ahead.
        app.file(&ann, "late.pdf").await;
        if seen.len() == 5 {
            app.call(Method::DELETE, &format!("/api/v1/files/{deleted_later}"), Some(&ann.token), None)
                .await
                .expect(204);
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=5&cursor={cursor}"),
            None => break,
        }
    }

    let expected: Vec<i64> = existing.iter().rev().copied().filter(|id| *id != deleted_later).collect();
    assert_eq!(seen, expected);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len(), "no duplicates");
}

#[tokio::test]
async fn listing_answers_422_for_a_bad_limit_or_cursor_and_401_without_token() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;

    for (query, field) in [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=ten", "limit"),
        ("?cursor=bogus", "cursor"),
        ("?cursor=", "cursor"),
        // A timestamp before PostgreSQL's range once answered 500.
        ("?cursor=djE6LTMwMDAwMDAwMDAwMDAwMDAwMDox", "cursor"),
    ] {
        let problem = app.call(Method::GET, &format!("/api/v1/files{query}"), Some(&ann.token), None).await.expect(422);
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
    }
    app.call(Method::GET, "/api/v1/files", None, None).await.expect(401);
}

#[tokio::test]
async fn a_non_numeric_id_is_a_422() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;

    let problem = app.call(Method::GET, "/api/v1/files/abc", Some(&ann.token), None).await.expect(422);

    assert_eq!(problem["errors"][0]["field"], "id");
}

#[tokio::test]
async fn creating_or_reading_a_file_needs_a_token() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let file = app.file(&ann, "a.pdf").await;

    let body = json!({ "filename": "b.pdf", "content_type": "application/pdf" });
    app.call(Method::POST, "/api/v1/files", None, Some(body)).await.expect(401);
    app.call(Method::GET, &format!("/api/v1/files/{}", file["id"]), None, None).await.expect(401);

    assert_eq!(ids(&page(&app, &ann, "").await).len(), 1, "nothing was created");
}

#[tokio::test]
async fn a_file_created_while_its_owner_is_being_deleted_is_a_401_not_a_500() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    // A deletion of the account, held open: the create below checks its
    // caller before the deletion commits, then waits on the account's row.
    let holder = reviewpoint::db::connect_once(&app.db_url()).await.expect("connect");
    holder.batch_execute("BEGIN").await.expect("begin");
    holder.execute("DELETE FROM users WHERE id = $1", &[&ann.id]).await.expect("deleted, not yet committed");
    let observer = reviewpoint::db::connect_once(&app.db_url()).await.expect("connect");

    let body = json!({ "filename": "a.pdf", "content_type": "application/pdf" });
    let (created, ()) = tokio::join!(app.call(Method::POST, "/api/v1/files", Some(&ann.token), Some(body)), async {
        until_waiting_on_locks(&observer, 1).await;
        holder.batch_execute("COMMIT").await.expect("commit");
    });

    let problem = created.expect(401);
    assert!(problem["detail"].as_str().is_some_and(|detail| detail.contains("no longer exists")), "{problem}");
}
