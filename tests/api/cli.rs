//! The `reviewpoint` binary itself: migrate commands, serve, configuration errors.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    process::{Child, Command, Output, Stdio},
    sync::atomic::{AtomicU32, Ordering},
    time::Duration,
};

use reviewpoint::{config::DatabaseUrl, db, migrate::Migrator};
use serde_json::json;

use crate::helpers::{TestDb, server_and_unused_name};

/// A URL with the password in clear, as an operator would set it.
pub fn env_url(url: &DatabaseUrl) -> String {
    let (host, port) = url.host_and_port();
    let config = url.connect_config();
    let user = config.get_user().unwrap_or("postgres");
    let password = config.get_password().map(|p| format!(":{}", String::from_utf8_lossy(p))).unwrap_or_default();
    format!("postgresql://{user}{password}@{host}:{port}/{}", url.database_name())
}

pub fn reviewpoint(url: &DatabaseUrl, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reviewpoint"));
    command.args(args).env("REVIEWPOINT_DB_URL", env_url(url)).env("REVIEWPOINT_ENVIRONMENT", "test");
    command
}

fn run(url: &DatabaseUrl, args: &[&str]) -> Output {
    let output = reviewpoint(url, args).output().expect("run reviewpoint");
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn migrate_up_status_and_down_manage_the_schema() {
    let db = TestDb::empty().await;

    let all = Migrator::embedded().migrations().len();
    assert!(stdout(&run(&db.url, &["migrate", "status"])).contains("pending"));
    assert!(stdout(&run(&db.url, &["migrate", "up"])).starts_with(&format!("applied {all} migration(s)")));
    assert!(stdout(&run(&db.url, &["migrate", "up"])).starts_with("applied 0 migration(s)"));
    let status = stdout(&run(&db.url, &["migrate", "status"]));
    assert!(status.contains("create_users_and_files  applied 20"), "{status}");
    assert!(stdout(&run(&db.url, &["migrate", "down"])).starts_with("reverted 1 migration(s)"));

    assert!(stdout(&run(&db.url, &["migrate", "status"])).contains("pending"));
}

#[tokio::test]
async fn two_migrate_up_processes_at_once_apply_each_migration_once_and_both_succeed() {
    let db = TestDb::empty().await;
    let spawn = || reviewpoint(&db.url, &["migrate", "up"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
    let (first, second) = (spawn().expect("spawn"), spawn().expect("spawn"));

    let outputs = [first.wait_with_output().expect("exit"), second.wait_with_output().expect("exit")];

    for output in &outputs {
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let mut said: Vec<String> =
        outputs.iter().map(|output| stdout(output).lines().next().unwrap_or("").to_owned()).collect();
    said.sort();
    let all = Migrator::embedded().migrations().len();
    assert_eq!(
        said,
        ["applied 0 migration(s)".to_owned(), format!("applied {all} migration(s)")],
        "one applied, the other found nothing to do"
    );
}

#[test]
fn migrate_new_creates_an_empty_reversible_pair() {
    let dir = std::env::temp_dir().join(format!("rvt-new-{}", std::process::id()));
    let url = DatabaseUrl::parse("postgresql://nobody@127.0.0.1:1/unused").expect("url");

    let output = run(&url, &["migrate", "new", "add_reviews", "--dir", dir.to_str().expect("utf-8")]);
    let refused = reviewpoint(&url, &["migrate", "new", "Add Reviews", "--dir", dir.to_str().expect("utf-8")])
        .output()
        .expect("run");

    let created = stdout(&output);
    let folder = std::path::Path::new(created.trim().trim_start_matches("created "));
    assert!(
        folder.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with("_add_reviews") && n.len() == 26),
        "{created}"
    );
    assert!(folder.join("up.sql").is_file() && folder.join("down.sql").is_file());
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("lowercase letters"));
    std::fs::remove_dir_all(dir).expect("clean up");
}

#[test]
fn an_invalid_variable_stops_startup_naming_it() {
    let url = DatabaseUrl::parse("postgresql://nobody@127.0.0.1:1/unused").expect("url");

    let output = reviewpoint(&url, &["serve"]).env("REVIEWPOINT_ENVIRONMENT", "staging").output().expect("run");

    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("REVIEWPOINT_ENVIRONMENT: expected dev, test or prod"));
}

/// A port no listener holds, for a server or a container to bind next.
/// Taken below the kernel's ephemeral range (32768 and up on Linux), where
/// the port the kernel gave a bind to port 0 could be handed out again at
/// once to one of the test binary's own outgoing connections (CI met Docker's
/// "port is already allocated" that way); each call of this process starts
/// from a candidate of its own, so two tests never race for one port.
pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    const FIRST: u32 = 20_000;
    const COUNT: u32 = 12_000;
    let start = std::process::id().wrapping_mul(7_919);
    loop {
        let port = (FIRST + start.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed)) % COUNT) as u16;
        // Docker publishes on every address; free there is free on loopback too.
        if TcpListener::bind(("0.0.0.0", port)).is_ok() {
            return port;
        }
    }
}

/// `reviewpoint serve` on a free port with `settings` in its environment and
/// its logs going to `logs`; returns once its health check answers 200.
pub async fn serve(url: &DatabaseUrl, settings: &[(&str, &str)], logs: Stdio) -> (Child, u16) {
    let port = free_port();
    let child = reviewpoint(url, &["serve"])
        .env("REVIEWPOINT_BIND", format!("127.0.0.1:{port}"))
        .envs(settings.iter().copied())
        .stdout(Stdio::null())
        .stderr(logs)
        .spawn()
        .expect("spawn");
    assert_eq!(wait_for_health(port).await, 200, "the server is healthy");
    (child, port)
}

pub async fn wait_for_health(port: u16) -> u16 {
    let url = format!("http://127.0.0.1:{port}/api/v1/health");
    for _ in 0..100 {
        if let Ok(response) = crate::helpers::get(&url).await {
            return response.status().as_u16();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server never answered on port {port}");
}

#[tokio::test]
async fn serve_in_dev_creates_and_migrates_its_database_named_with_capitals_and_dashes_and_stops_on_sigterm() {
    let (server, name) = server_and_unused_name().await;
    // Once an `assert!` at startup: any name the URL carries is quoted.
    let name = format!("{name}-With-Capitals");
    let url = server.with_database(&name);
    let port = free_port();

    let mut child = reviewpoint(&url, &["serve"])
        .env("REVIEWPOINT_ENVIRONMENT", "dev")
        .env("REVIEWPOINT_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let health = wait_for_health(port).await;
    let terminated = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    let exit = child.wait().expect("exit");

    assert_eq!(health, 200);
    assert!(terminated.success() && exit.success(), "graceful shutdown exits 0: {exit:?}");
    assert!(stdout(&run(&url, &["migrate", "status"])).contains("applied"));
    let admin = db::connect_once(&server).await.expect("connect");
    db::admin::drop_database(&admin, &name).await.expect("clean up");
}

#[tokio::test]
async fn serve_in_prod_never_migrates_unasked_and_logs_json_without_secrets() {
    let db = TestDb::empty().await;
    let port = free_port();
    let secret = "a-production-secret-of-32-bytes!!";

    let child = reviewpoint(&db.url, &["serve"])
        .env("REVIEWPOINT_ENVIRONMENT", "prod")
        .env("REVIEWPOINT_JWT_SECRET", secret)
        // Required in prod; this test sends no mail.
        .env("REVIEWPOINT_SMTP_URL", "smtp://127.0.0.1:1?tls=none")
        .env("REVIEWPOINT_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let health = wait_for_health(port).await;
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    let output = child.wait_with_output().expect("exit");

    assert_eq!(health, 200);
    assert!(stdout(&run(&db.url, &["migrate", "status"])).contains("pending"), "nothing was applied");
    let logs = String::from_utf8_lossy(&output.stderr);
    let first: serde_json::Value =
        serde_json::from_str(logs.lines().next().expect("a log line")).expect("JSON logs in prod");
    assert_eq!(first["level"], "INFO");
    assert!(first["database"].as_str().is_some_and(|url| url.starts_with("postgresql://")), "{first}");
    if let Some(password) = db.url.connect_config().get_password() {
        let in_url = format!(":{}@", String::from_utf8_lossy(password));
        assert!(!logs.contains(&in_url) && logs.contains(":***@"), "the database password is never logged");
    }
    assert!(!logs.contains(secret), "the JWT secret is never logged");
}

#[test]
fn prod_refuses_to_start_without_an_smtp_server_to_send_its_mail() {
    let url = DatabaseUrl::parse("postgresql://nobody@127.0.0.1:1/unused").expect("url");

    let output = reviewpoint(&url, &["serve"])
        .env("REVIEWPOINT_ENVIRONMENT", "prod")
        .env("REVIEWPOINT_JWT_SECRET", "a-production-secret-of-32-bytes!!")
        .env_remove("REVIEWPOINT_SMTP_URL")
        .output()
        .expect("run");

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("REVIEWPOINT_SMTP_URL: is required in prod"), "{stderr}");
}

#[tokio::test]
async fn without_an_smtp_server_dev_logs_the_reset_link_and_the_link_works() {
    let db = TestDb::new().await;
    let (mut child, port) = serve(&db.url, &[("REVIEWPOINT_ENVIRONMENT", "dev")], Stdio::piped()).await;
    let (lines, received) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().expect("piped stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let base = format!("http://127.0.0.1:{port}/api/v1/auth");
    let http = crate::helpers::http_client().build().expect("client");
    let credentials = json!({ "email": "ann@example.com", "password": "correct horse battery" });
    http.post(format!("{base}/register")).json(&credentials).send().await.expect("register");

    let requested = http.post(format!("{base}/password-reset")).json(&json!({ "email": "ann@example.com" })).send();
    assert_eq!(requested.await.expect("request").status(), 202);
    let token = tokio::task::spawn_blocking(move || {
        while let Ok(line) = received.recv_timeout(Duration::from_secs(30)) {
            if let Some((_, after)) = line.split_once("token=") {
                return after.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect();
            }
        }
        String::new()
    })
    .await
    .expect("log reader");
    let confirmed = http
        .post(format!("{base}/password-reset/confirm"))
        .json(&json!({ "token": token, "password": "a brand new passphrase" }))
        .send()
        .await
        .expect("confirm");
    let _ = child.kill();
    let _ = child.wait();

    assert_eq!(token.len(), 43, "the logged link carries the 256-bit token: {token:?}");
    assert_eq!(confirmed.status(), 204);
}

#[test]
fn a_dot_env_file_is_read_and_real_variables_win() {
    let dir = std::env::temp_dir().join(format!("rvt-dotenv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join(".env"), "REVIEWPOINT_ENVIRONMENT=staging\nREVIEWPOINT_DEBUG=maybe\n").expect(".env");
    let url = DatabaseUrl::parse("postgresql://nobody@127.0.0.1:1/unused").expect("url");

    let from_file =
        reviewpoint(&url, &["serve"]).env_remove("REVIEWPOINT_ENVIRONMENT").current_dir(&dir).output().expect("run");
    let overridden = reviewpoint(&url, &["serve"]).current_dir(&dir).output().expect("run");

    assert!(String::from_utf8_lossy(&from_file.stderr).contains("REVIEWPOINT_ENVIRONMENT: expected dev, test or prod"));
    assert!(String::from_utf8_lossy(&overridden.stderr).contains("REVIEWPOINT_DEBUG: expected true or false"));
    std::fs::remove_dir_all(dir).expect("clean up");
}
