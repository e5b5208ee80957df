//! The database restarts for real, is cut off and stalls, all under a bounded
//! mixed load on the real binary. Afterwards every acknowledged write is in
//! the database, no row is half-written, and the service recovered by itself.
//!
//! The test runs its own PostgreSQL container (it stops and starts it), so it
//! needs Docker even when the other tests use `REVIEWPOINT_TEST_DATABASE_URL`.

use std::{
    collections::{BTreeMap, BTreeSet},
    process::Stdio,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use reviewpoint::{
    db,
    migrate::Migrator,
    repo::{Caller, FileRepository},
};
use serde_json::{Value, json};

use crate::{
    cli::serve,
    helpers::{PASSWORD, container, container_url},
    proxy::{ChaosProxy, Mode},
};

/// The statement timeout the server runs with here: its client-side deadline
/// is a second longer, and a request waits at most 5 s for a connection.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(2);
/// No request may stay open longer: wait timeout + statement deadline + margin.
const LONGEST_ALLOWED: Duration = Duration::from_secs(5 + 3 + 2);
const CLIENTS: usize = 6;

/// What one client saw: its acknowledged writes, and the ones whose fate it
/// cannot know (answered with an error).
#[derive(Default)]
struct Ledger {
    /// file id -> the tags it may now carry: the last acknowledged one first,
    /// then any attempted after it whose answer was an error.
    tags: BTreeMap<i64, Vec<String>>,
    deleted: BTreeSet<i64>,
    maybe_deleted: BTreeSet<i64>,
    statuses: BTreeMap<u16, usize>,
    failed_to_answer: usize,
    longest: Duration,
}

fn body(tag: &str) -> Value {
    json!({ "filename": format!("{tag}.pdf"), "content_type": format!("application/x-{tag}") })
}

async fn client(base: String, token: String, number: usize, stop: Arc<AtomicBool>) -> Ledger {
    let http = crate::helpers::http_client().timeout(Duration::from_secs(30)).build().expect("client");
    let mut ledger = Ledger::default();
    let mut owned: Vec<i64> = Vec::new();
    let mut step = 0;
    while !stop.load(Ordering::Relaxed) {
        step += 1;
        let tag = format!("c{number}-{step}");
        let target = owned.get(step % owned.len().max(1)).copied();
        let request = match (step % 5, target) {
            (1 | 3, Some(id)) => http.patch(format!("{base}/api/v1/files/{id}")).json(&body(&tag)),
            (4, Some(id)) if owned.len() > 3 => http.delete(format!("{base}/api/v1/files/{id}")),
            (2, _) => http.get(format!("{base}/api/v1/files?limit=5")),
            _ => http.post(format!("{base}/api/v1/files")).json(&body(&tag)),
        };
        let request = request.bearer_auth(&token).build().expect("request");
        let method = request.method().clone();
        let started = Instant::now();
        let answer = http.execute(request).await;
        ledger.longest = ledger.longest.max(started.elapsed());
        let Ok(answer) = answer else {
            ledger.failed_to_answer += 1;
            continue;
        };
        let status = answer.status().as_u16();
        *ledger.statuses.entry(status).or_default() += 1;
        let acknowledged = answer.status().is_success();
        match (method.as_str(), target) {
            ("POST", _) if acknowledged => {
                let created: Value = answer.json().await.expect("a File");
                let id = created["id"].as_i64().expect("id");
                owned.push(id);
                ledger.tags.insert(id, vec![tag]);
            }
            ("PATCH", Some(id)) => {
                let tags = ledger.tags.entry(id).or_default();
                if acknowledged {
                    *tags = vec![tag];
                } else {
                    tags.push(tag);
                }
            }
            ("DELETE", Some(id)) => {
                owned.retain(|owned| *owned != id);
                if acknowledged {
                    ledger.deleted.insert(id);
                } else {
                    ledger.maybe_deleted.insert(id);
                }
            }
            _ => {}
        }
    }
    ledger
}

/// Waits until PostgreSQL on `port` accepts a connection; returns when.
async fn ready(port: u16) -> Instant {
    let url = container_url(port);
    let started = Instant::now();
    while db::connect_once(&url).await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "the restarted database never came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Instant::now()
}

/// Polls a database-backed request until it succeeds; returns how long that took.
async fn recovery(base: &str, token: &str) -> Duration {
    let http = crate::helpers::http_client().build().expect("client");
    let started = Instant::now();
    loop {
        let answer = http.get(format!("{base}/api/v1/auth/me")).bearer_auth(token).send().await;
        if answer.is_ok_and(|answer| answer.status().is_success()) || started.elapsed() > Duration::from_secs(30) {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn health(base: &str) -> u16 {
    crate::helpers::get(format!("{base}/api/v1/health")).await.map_or(0, |answer| answer.status().as_u16())
}

#[tokio::test]
async fn restarts_cuts_and_stalls_under_load_lose_no_acknowledged_write() {
    let postgres = container().await;
    let port = postgres.get_host_port_ipv4(5432).await.expect("mapped port");
    ready(port).await;
    let admin = container_url(port);
    let server_db = db::connect_once(&admin).await.expect("connect");
    db::admin::create_database(&server_db, "faults").await.expect("database");
    let mut migrating = db::connect_once(&admin.with_database("faults")).await.expect("connect");
    Migrator::embedded().up(&mut migrating).await.expect("migrated");
    let proxy = ChaosProxy::start(([127, 0, 0, 1], port).into()).await;
    let through_proxy = admin.with_database("faults").with_host_and_port("127.0.0.1", proxy.addr.port());
    let statement_timeout = STATEMENT_TIMEOUT.as_secs().to_string();
    let settings = [
        ("REVIEWPOINT_ENVIRONMENT", "prod"),
        ("REVIEWPOINT_JWT_SECRET", "a-production-secret-of-32-bytes!!"),
        ("REVIEWPOINT_DB_STATEMENT_TIMEOUT_SECONDS", statement_timeout.as_str()),
        ("REVIEWPOINT_SMTP_URL", "smtp://127.0.0.1:1?tls=none"),
    ];
    let (mut server, http_port) = serve(&through_proxy, &settings, Stdio::null()).await;
    let base = format!("http://127.0.0.1:{http_port}");
    let http = crate::helpers::http_client().build().expect("client");
    let credentials = json!({ "email": "load@example.com", "password": PASSWORD });
    let registered: Value = http
        .post(format!("{base}/api/v1/auth/register"))
        .json(&credentials)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("user");
    let owner = registered["id"].as_i64().expect("id");
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&credentials)
        .send()
        .await
        .expect("in")
        .json()
        .await
        .expect("token");
    let token = login["access_token"].as_str().expect("token").to_owned();

    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> =
        (0..CLIENTS).map(|n| tokio::spawn(client(base.clone(), token.clone(), n, stop.clone()))).collect();
    let mut healths = Vec::new();
    tokio::time::sleep(Duration::from_secs(1)).await;

    // A real restart: the container stops (SIGINT, a fast shutdown) and starts again.
    postgres.stop_with_timeout(Some(5)).await.expect("stopped");
    healths.push(health(&base).await);
    tokio::time::sleep(Duration::from_secs(2)).await;
    postgres.start().await.expect("started");
    let port = postgres.get_host_port_ipv4(5432).await.expect("mapped port");
    proxy.set_upstream(([127, 0, 0, 1], port).into());
    ready(port).await;
    let recovered_after_restart = recovery(&base, &token).await;
    healths.push(health(&base).await);
    // Cut: connections refused for a second.
    proxy.set(Mode::Refuse);
    tokio::time::sleep(Duration::from_secs(1)).await;
    proxy.set(Mode::Forward);
    let recovered_after_cut = recovery(&base, &token).await;
    // Stall: every connection, pooled ones included, goes silent for four seconds.
    proxy.set(Mode::Blackhole);
    tokio::time::sleep(Duration::from_secs(4)).await;
    proxy.set(Mode::Forward);
    let recovered_after_stall = recovery(&base, &token).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    let mut ledgers = Vec::new();
    for client in load {
        ledgers.push(client.await.expect("a client finished"));
    }
    let still_running = server.try_wait().expect("status").is_none();
    let final_health = health(&base).await;

    let _ = server.kill();
    // What the database holds now, read directly, not through the server under test.
    let rows = stored_files(&admin.with_database("faults").with_host_and_port("127.0.0.1", port), owner).await;
    let _ = server.wait();

    let mut statuses = BTreeMap::<u16, usize>::new();
    for ledger in &ledgers {
        for (status, count) in &ledger.statuses {
            *statuses.entry(*status).or_default() += count;
        }
    }
    let sent: usize = statuses.values().sum::<usize>() + ledgers.iter().map(|l| l.failed_to_answer).sum::<usize>();
    let longest = ledgers.iter().map(|l| l.longest).max().unwrap_or_default();
    let (found, acknowledged) = check_ledgers(&ledgers, &rows);
    let other: usize = statuses.iter().filter(|(s, _)| !(200..300).contains(*s) && **s != 503).map(|(_, n)| n).sum();
    println!(
        "faults: {sent} requests, {} 2xx, {} 503, {other} other, {} unanswered; longest {longest:?}; \
         recovered {recovered_after_restart:?} after the restart, {recovered_after_cut:?} after the cut, \
         {recovered_after_stall:?} after the stall; {found} of {acknowledged} acknowledged writes found; \
         health {:?} then {final_health}",
        statuses.iter().filter(|(s, _)| (200..300).contains(*s)).map(|(_, n)| n).sum::<usize>(),
        statuses.get(&503).copied().unwrap_or(0),
        ledgers.iter().map(|l| l.failed_to_answer).sum::<usize>(),
        healths,
    );

    assert!(still_running, "the server never exited");
    assert_eq!(ledgers.iter().map(|l| l.failed_to_answer).sum::<usize>(), 0, "every request was answered");
    assert!(longest < LONGEST_ALLOWED, "no request stayed open past the bounds: {longest:?}");
    assert_eq!(other, 0, "only 2xx and 503: {statuses:?}");
    assert!(statuses.get(&503).is_some_and(|&n| n > 0), "the outages were felt: {statuses:?}");
    assert_eq!(healths.first(), Some(&503), "unhealthy while the database was down");
    assert_eq!(final_health, 200, "healthy again");
    for recovered in [recovered_after_restart, recovered_after_cut, recovered_after_stall] {
        assert!(recovered < Duration::from_secs(5), "requests succeed within 5 s of the database being back");
    }
    assert_eq!(found, acknowledged, "every acknowledged write is in the database");
}

/// file id -> (filename, content_type), every file of `owner`.
async fn stored_files(url: &reviewpoint::config::DatabaseUrl, owner: i64) -> BTreeMap<i64, (String, String)> {
    let pool = db::build_pool(url, reviewpoint::config::Environment::Test.pool());
    let connection = pool.get().await.expect("connection");
    let owner = crate::helpers::sign_in(&connection, owner).await;
    let mut rows = BTreeMap::new();
    let mut after = None;
    loop {
        let Caller::Active(page) = FileRepository::page(&connection, owner, after, 100).await.expect("a page") else {
            panic!("the owner is active")
        };
        rows.extend(page.items.into_iter().map(|file| (file.id, (file.filename, file.content_type))));
        match page.next {
            Some(next) => after = Some(next),
            None => return rows,
        }
    }
}

/// Checks every row against what the clients were told: returns the
/// acknowledged writes found and the acknowledged writes in all.
fn check_ledgers(ledgers: &[Ledger], rows: &BTreeMap<i64, (String, String)>) -> (usize, usize) {
    for (id, (filename, content_type)) in rows {
        let tag = filename.strip_suffix(".pdf").expect("a tag");
        assert_eq!(content_type, &format!("application/x-{tag}"), "file {id} is whole, not half-written");
    }
    let (mut found, mut acknowledged) = (0, 0);
    for ledger in ledgers {
        for id in &ledger.deleted {
            acknowledged += 1;
            found += usize::from(!rows.contains_key(id));
        }
        for (id, tags) in &ledger.tags {
            if ledger.deleted.contains(id) || ledger.maybe_deleted.contains(id) {
                continue;
            }
            acknowledged += 1;
            let Some((filename, _)) = rows.get(id) else { continue };
            let tag = filename.strip_suffix(".pdf").unwrap_or_default();
            assert!(tags.iter().any(|t| t == tag), "file {id} holds {tag}, not its acknowledged {tags:?}");
            found += 1;
        }
    }
    (found, acknowledged)
}
