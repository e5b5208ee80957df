//! Dev services on the real binary: in dev, with no `REVIEWPOINT_DB_URL` and
//! nothing at the probed address, `serve` runs PostgreSQL in a container,
//! keeps its data across restarts, and `dev-db rm` removes it.
//!
//! Each test names its own container, so a developer's own dev database is
//! never touched.

use std::{
    fs::File,
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

use testcontainers_modules::testcontainers::bollard::Docker;

use crate::{
    cli::free_port,
    helpers::{PASSWORD, remove_when_this_process_exits},
};

/// The binary in dev with no database configured and the probed address
/// closed, so only dev services can give it a database.
fn dev(container: &str, probe_port: u16, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reviewpoint"));
    command
        .args(args)
        .env_remove("REVIEWPOINT_DB_URL")
        .env("REVIEWPOINT_ENVIRONMENT", "dev")
        .env("REVIEWPOINT_DEV_PROBE_ADDRESS", format!("127.0.0.1:{probe_port}"))
        .env("REVIEWPOINT_DEV_DB_CONTAINER", container)
        // Not the checkout: its .env must not configure a database.
        .current_dir(std::env::temp_dir());
    command
}

/// `serve` on a free port; returns it once health answers 200, and how long that took.
async fn serve(container: &str, probe_port: u16, log: &File) -> (Child, u16, Duration) {
    let port = free_port();
    let started = Instant::now();
    let mut child = dev(container, probe_port, &["serve"])
        .env("REVIEWPOINT_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(log.try_clone().expect("log"))
        .spawn()
        .expect("spawn");
    let health = format!("http://127.0.0.1:{port}/api/v1/health");
    let http = crate::helpers::http_client().timeout(Duration::from_secs(2)).build().expect("client");
    while started.elapsed() < Duration::from_secs(90) {
        if let Ok(response) = http.get(&health).send().await
            && response.status() == 200
        {
            return (child, port, started.elapsed());
        }
        if let Some(exit) = child.try_wait().expect("wait") {
            panic!("serve exited ({exit}) before it was healthy");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().expect("kill");
    child.wait().expect("exit");
    panic!("no healthy answer within 90 s");
}

fn terminate(mut child: Child) {
    let terminated = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    let exit = child.wait().expect("exit");
    assert!(terminated.success() && exit.success(), "graceful shutdown exits 0: {exit:?}");
}

async fn post(port: u16, path: &str, body: &serde_json::Value) -> u16 {
    let url = format!("http://127.0.0.1:{port}/api/v1{path}");
    crate::helpers::http_client()
        .build()
        .expect("client")
        .post(url)
        .json(body)
        .send()
        .await
        .expect("answered")
        .status()
        .as_u16()
}

/// Whether the container exists, and whether it runs.
/// Where the container's ports are published (host addresses) and the
/// password it was made with.
async fn exposure(name: &str) -> (Vec<String>, Option<String>) {
    let docker = Docker::connect_with_local_defaults().expect("docker");
    let container = docker.inspect_container(name, None).await.expect("the container");
    let ports = container.network_settings.and_then(|settings| settings.ports).unwrap_or_default();
    let hosts = ports.values().flatten().flatten().filter_map(|binding| binding.host_ip.clone()).collect();
    let env = container.config.and_then(|config| config.env).unwrap_or_default();
    (hosts, env.iter().find_map(|entry| entry.strip_prefix("POSTGRES_PASSWORD=")).map(str::to_owned))
}

async fn container_state(name: &str) -> Option<bool> {
    let docker = Docker::connect_with_local_defaults().expect("docker");
    let container = docker.inspect_container(name, None).await.ok()?;
    Some(container.state.and_then(|state| state.running).unwrap_or(false))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn serve_in_dev_with_no_database_starts_one_in_a_container_and_keeps_its_data() {
    let container = format!("reviewpoint-dev-test-{}", std::process::id());
    remove_when_this_process_exits(&container);
    let closed = free_port();
    let logs = std::env::temp_dir().join(format!("{container}.log"));
    let log = File::create(&logs).expect("log file");
    let user = serde_json::json!({ "email": "dev@example.com", "password": PASSWORD });

    let (first, port, first_start) = serve(&container, closed, &log).await;
    let (published_on, password) = exposure(&container).await;
    let registered = post(port, "/auth/register", &user).await;
    terminate(first);
    let after_first = container_state(&container).await;

    let (second, port, second_start) = serve(&container, closed, &log).await;
    let logged_in = post(port, "/auth/login", &user).await;
    terminate(second);

    let stopped = dev(&container, closed, &["dev-db", "stop"]).output().expect("run");
    let removed = dev(&container, closed, &["dev-db", "rm"]).output().expect("run");
    let after_rm = container_state(&container).await;
    let removed_again = dev(&container, closed, &["dev-db", "rm"]).output().expect("run");
    let logs = std::fs::read_to_string(&logs).expect("logs");
    println!("dev services: first start {first_start:.2?}, second start {second_start:.2?}");

    assert_eq!(registered, 201);
    assert!(!published_on.is_empty() && published_on.iter().all(|host| host == "127.0.0.1"), "{published_on:?}");
    let password = password.expect("a password");
    assert!(password.len() >= 32 && password != "postgres", "a generated password");
    assert!(!logs.contains(&password), "never logged");
    assert_eq!(after_first, Some(false), "the container is stopped with the server and kept");
    assert_eq!(logged_in, 200, "the second run finds the account the first one wrote");
    let started = logs.lines().filter(|line| line.contains("PostgreSQL runs in a")).collect::<Vec<_>>();
    assert_eq!(started.len(), 2, "one line per start:\n{logs}");
    assert!(
        started.iter().any(|line| line.contains(&format!("new container {container} (image "))),
        "the first run says which image it used:\n{logs}"
    );
    assert!(
        started.iter().any(|line| line.contains(&format!("reused container {container}"))),
        "the second run reuses it:\n{logs}"
    );
    assert!(
        started.iter().all(|line| line.contains("postgresql://postgres:***@127.0.0.1:")),
        "one line gives the URL, password hidden:\n{logs}"
    );
    assert!(!logs.contains(":postgres@"), "no password in the logs");
    assert!(!logs.contains("Connection error"), "connections end before the database stops:\n{logs}");
    assert!(stopped.status.success() && stdout(&stopped).contains(&format!("stopped {container}")));
    assert!(removed.status.success() && stdout(&removed).contains(&format!("removed {container}")));
    assert_eq!(after_rm, None, "dev-db rm removes the container");
    assert!(removed_again.status.success() && stdout(&removed_again).contains(&format!("no container {container}")));
}

#[test]
fn without_docker_the_error_says_what_to_do() {
    let container = format!("reviewpoint-dev-test-nodocker-{}", std::process::id());

    let output = dev(&container, free_port(), &["serve"])
        .env("REVIEWPOINT_BIND", format!("127.0.0.1:{}", free_port()))
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output()
        .expect("run");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("Docker cannot run one"), "{stderr}");
    assert!(stderr.contains("install and start PostgreSQL"), "{stderr}");
    assert!(stderr.contains("set REVIEWPOINT_DB_URL"), "{stderr}");
    assert!(stderr.contains("install and start Docker"), "{stderr}");
}

#[tokio::test]
async fn a_configured_database_that_does_not_answer_is_an_error_not_a_container() {
    let container = format!("reviewpoint-dev-test-configured-{}", std::process::id());

    let output = dev(&container, free_port(), &["serve"])
        .env("REVIEWPOINT_DB_URL", format!("postgresql://postgres@127.0.0.1:{}/reviewpoint", free_port()))
        .env("REVIEWPOINT_BIND", format!("127.0.0.1:{}", free_port()))
        .output()
        .expect("run");

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("database unavailable"), "{output:?}");
    assert_eq!(container_state(&container).await, None, "no container is started");
}
