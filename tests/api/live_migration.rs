//! The v1.1 schema change is shipped live: the last v1 server, built from
//! this repository's history (tests/v1-server/build.sh), keeps answering
//! its load without a single error while the v1.1 migrations are applied
//! under it; then the current server takes over the same database.

use std::{
    process::{Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use reviewpoint::{db, migrate::Migrator};
use serde_json::json;

use crate::{
    cli::{env_url, free_port, serve, wait_for_health},
    helpers::{PASSWORD, TestDb},
};

/// Clients sending requests at once, as fast as the server answers.
const CLIENTS: usize = 8;

/// The v1 server's binary (built once, then reused).
fn v1_server() -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/v1-server/build.sh");
    let output = Command::new("bash").arg(script).stderr(Stdio::inherit()).output().expect("run build.sh");
    assert!(output.status.success(), "tests/v1-server/build.sh failed");
    String::from_utf8(output.stdout).expect("a path").trim().to_owned()
}

/// What one client saw: (milliseconds since the start, status) per request.
type Ledger = Vec<(u128, u16)>;

async fn client(base: String, token: String, start: Instant, stop: Arc<AtomicBool>) -> Ledger {
    let http = crate::helpers::http_client().timeout(Duration::from_secs(30)).build().expect("client");
    let mut ledger = Vec::new();
    let mut n = 0u32;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let request = match n % 4 {
            0 => http.get(format!("{base}/auth/me")),
            1 => http
                .post(format!("{base}/files"))
                .json(&json!({ "filename": format!("{n}.pdf"), "content_type": "application/pdf" })),
            2 => http.get(format!("{base}/files?limit=5")),
            _ => http.get(format!("{base}/health")),
        };
        let status = request.bearer_auth(&token).send().await.map_or(0, |response| response.status().as_u16());
        ledger.push((start.elapsed().as_millis(), status));
    }
    ledger
}

#[tokio::test]
async fn a_running_v1_server_survives_the_v1_1_migrations_under_load() {
    let v1 = v1_server();
    let db = TestDb::empty().await;
    let url = env_url(&db.url);
    let v1_migrate = Command::new(&v1).args(["migrate", "up"]).env("REVIEWPOINT_DB_URL", &url).output().expect("run");
    assert!(v1_migrate.status.success(), "{}", String::from_utf8_lossy(&v1_migrate.stderr));
    let port = free_port();
    let mut old = Command::new(&v1)
        .arg("serve")
        .env("REVIEWPOINT_DB_URL", &url)
        .env("REVIEWPOINT_ENVIRONMENT", "test")
        .env("REVIEWPOINT_DB_POOL_SIZE", "4")
        .env("REVIEWPOINT_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the v1 server");
    assert_eq!(wait_for_health(port).await, 200);
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let http = crate::helpers::http_client().build().expect("client");
    let mut tokens = Vec::new();
    for n in 0..CLIENTS {
        let credentials = json!({ "email": format!("user{n}@example.com"), "password": PASSWORD });
        let registered = http.post(format!("{base}/auth/register")).json(&credentials).send().await.expect("sent");
        assert_eq!(registered.status(), 201);
        let login: serde_json::Value = http
            .post(format!("{base}/auth/login"))
            .json(&credentials)
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("JSON");
        tokens.push(login["access_token"].as_str().expect("a v1 token").to_owned());
    }

    let (start, stop) = (Instant::now(), Arc::new(AtomicBool::new(false)));
    let load: Vec<_> =
        tokens.into_iter().map(|token| tokio::spawn(client(base.clone(), token, start, stop.clone()))).collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut migrator = db::connect_once(&db.url).await.expect("connect");
    let migrating_from = start.elapsed().as_millis();
    let applied = Migrator::embedded().up(&mut migrator).await.expect("the v1.1 migrations apply under load");
    let migrated_at = start.elapsed().as_millis();
    // The same load goes on for a while on the new schema.
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    let mut ledger = Vec::new();
    for client in load {
        ledger.extend(client.await.expect("a client finished"));
    }
    let _ = old.kill();
    let _ = old.wait();

    let during = ledger.iter().filter(|(at, _)| (migrating_from..=migrated_at + 100).contains(at)).count();
    let failed: Vec<_> = ledger.iter().filter(|(_, status)| !(200..300).contains(status)).collect();
    println!(
        "live migration: {} migration(s) in {} ms under {CLIENTS} clients; {} requests to the v1 server, {during} \
         of them answered while migrating (or within 100 ms after), {} not 2xx",
        applied.len(),
        migrated_at - migrating_from,
        ledger.len(),
        failed.len()
    );
    let names: Vec<&str> = applied.iter().map(|migration| migration.name.as_str()).collect();
    assert!(
        ["profile_fields", "sessions", "password_reset"].iter().all(|name| names.contains(name)),
        "the v1.1 migrations were pending: {names:?}"
    );
    assert!(ledger.len() > 100, "the server was under load: {} requests", ledger.len());
    assert!(failed.is_empty(), "every request succeeded: {:?}", &failed[..failed.len().min(10)]);

    // The current server takes over the migrated database: v1 tokens name
    // no session and are refused; a new login works.
    let (mut new, new_port) = serve(&db.url, &[], Stdio::null()).await;
    let base = format!("http://127.0.0.1:{new_port}/api/v1");
    let credentials = json!({ "email": "user0@example.com", "password": PASSWORD });
    let login: serde_json::Value = http
        .post(format!("{base}/auth/login"))
        .json(&credentials)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let me = http.get(format!("{base}/auth/me")).bearer_auth(login["access_token"].as_str().expect("token"));
    let me: serde_json::Value = me.send().await.expect("sent").json().await.expect("JSON");
    let _ = new.kill();
    let _ = new.wait();
    assert_eq!(me["email"], "user0@example.com");
    assert!(me["last_login_at"].is_string() && me["preferences"] == json!({}), "{me}");
}
