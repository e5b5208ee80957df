//! `cargo xtask bench --replicas`: the list and lookup loads on a primary
//! alone, then with one and two streaming replicas, all containers of the
//! project's PostgreSQL image on this one machine. One machine cannot show
//! more throughput (everything shares its cores); it shows how much of the
//! read traffic the primary still serves, and the latency that waiting for a
//! replica to replay the caller's writes adds.

use std::{
    fmt::Write as _,
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::json;

use super::{
    Bench, Caller,
    load::{Request, Run},
    post, seed_caller,
    server::{self, Server},
};
use crate::AnyError;

const IMAGE: &str = "reviewpoint-postgres:17";

/// One configuration's figures.
pub struct Mode {
    pub replicas: usize,
    pub lookup: Run,
    pub list: Run,
    /// Reads by where they ran, from the server's own `/metrics`.
    pub on_primary: f64,
    pub on_replicas: f64,
    /// WAL position queries the primary ran meanwhile (one per batch).
    pub positions: f64,
}

/// The containers of one run, removed on drop whatever happened.
struct Containers {
    network: String,
    names: Vec<String>,
}

impl Drop for Containers {
    fn drop(&mut self) {
        for name in &self.names {
            let _ = docker(&["rm", "-f", "-v", name]);
        }
        let _ = docker(&["network", "rm", &self.network]);
    }
}

fn docker(args: &[&str]) -> Result<String, AnyError> {
    let output = Command::new("docker").args(args).stdin(Stdio::null()).output()?;
    if !output.status.success() {
        return Err(format!("docker {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr)).into());
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

impl Bench {
    /// The machine's facts (PostgreSQL's version from the primary) and the modes.
    pub async fn replicas(&self) -> Result<(Vec<(&'static str, String)>, Vec<Mode>), AnyError> {
        let status = Command::new("bash").arg("tests/postgres-image/build.sh").status()?;
        if !status.success() {
            return Err("building the PostgreSQL image failed (tests/postgres-image/build.sh)".into());
        }
        let id = std::process::id();
        let mut containers = Containers { network: format!("rp-bench-{id}"), names: Vec::new() };
        docker(&["network", "create", &containers.network])?;
        let primary = format!("rp-bench-primary-{id}");
        let primary_url = start(&mut containers, &primary, &[])?;
        let mut replica_urls = Vec::new();
        for n in 1..=2 {
            let name = format!("rp-bench-replica{n}-{id}");
            let source = format!("POSTGRES_PRIMARY_HOST={primary}");
            replica_urls.push(start(&mut containers, &name, &["-e", &source])?);
        }
        server::migrate(&self.binary, &primary_url, &self.scratch)?;
        let facts = super::facts(&primary_url.parse()?).await?;

        let mut modes = Vec::new();
        for replicas in 0..=2 {
            modes.push(self.mode(&primary_url, &replica_urls[..replicas]).await?);
        }
        Ok((facts, modes))
    }

    async fn mode(&self, primary: &str, replicas: &[String]) -> Result<Mode, AnyError> {
        let extra = [("REVIEWPOINT_DB_REPLICA_URLS", replicas.join(","))];
        let (mut server, _) = Server::start_with(&self.binary, primary, &extra, &self.scratch).await?;
        let http = reqwest::Client::new();
        wait_for_rotation(&http, &server.base, replicas.len()).await?;
        let caller = seed(&http, &server.base, replicas.len()).await?;
        let token = Some(caller.token.as_str());
        let lookup = Request::get(format!("/api/v1/users/{}", caller.id), token);
        let list = Request::get("/api/v1/files?limit=20", token);
        let before = reads_by_target(&http, &server.base).await?;
        let lookup = self.median_run(&server.base, &lookup)?;
        let list = self.median_run(&server.base, &list)?;
        let after = reads_by_target(&http, &server.base).await?;
        server.check_alive()?;
        Ok(Mode {
            replicas: replicas.len(),
            lookup,
            list,
            on_primary: after.0 - before.0,
            on_replicas: after.1 - before.1,
            positions: after.2 - before.2,
        })
    }
}

/// Starts a container of the image on the network, published on a loopback
/// port; returns its URL once it accepts connections.
fn start(containers: &mut Containers, name: &str, env: &[&str]) -> Result<String, AnyError> {
    let mut args = vec!["run", "-d", "--name", name, "--network", &containers.network, "-p", "127.0.0.1::5432"];
    args.extend_from_slice(&["-e", "POSTGRES_PASSWORD=postgres"]);
    args.extend_from_slice(env);
    args.push(IMAGE);
    docker(&args)?;
    containers.names.push(name.to_owned());
    let address = docker(&["port", name, "5432/tcp"])?;
    let port = address.lines().next().and_then(|line| line.rsplit(':').next()).ok_or("no published port")?;
    let url = format!("postgresql://postgres:postgres@127.0.0.1:{port}/postgres");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = Command::new("pg_isready").args(["-q", "-d", &url]).status()?;
        if ready.success() {
            return Ok(url);
        }
        if Instant::now() > deadline {
            return Err(format!("{name} did not accept connections within 60 s").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Until `/health` shows every replica in rotation (within 10 s).
async fn wait_for_rotation(http: &reqwest::Client, base: &str, replicas: usize) -> Result<(), AnyError> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let health: serde_json::Value = http.get(format!("{base}/api/v1/health")).send().await?.json().await?;
        let in_rotation = health["replicas"]
            .as_array()
            .map_or(0, |all| all.iter().filter(|replica| replica["status"] == "in_rotation").count());
        if in_rotation == replicas {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("replicas not in rotation within 10 s: {health}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn seed(http: &reqwest::Client, base: &str, mode: usize) -> Result<Caller, AnyError> {
    let caller = seed_caller(http, base, &format!("replicas-{mode}@example.com")).await?;
    for n in 0..100 {
        let body = json!({ "filename": format!("seed-{n}.pdf"), "content_type": "application/pdf" });
        post(http, base, "/api/v1/files", Some(&caller.token), body, 201).await?;
    }
    Ok(caller)
}

/// From the server's `/metrics`: reads on the primary, reads on replicas,
/// WAL position queries on the primary.
async fn reads_by_target(http: &reqwest::Client, base: &str) -> Result<(f64, f64, f64), AnyError> {
    let text = http.get(format!("{base}/metrics")).send().await?.text().await?;
    let count = |series: &str| {
        let prefix = format!("{series} ");
        text.lines().find_map(|line| line.strip_prefix(&prefix)?.parse::<f64>().ok()).unwrap_or(0.0)
    };
    Ok((
        count("db_reads_total{target=\"primary\"}"),
        count("db_reads_total{target=\"replica\"}"),
        count("db_wal_position_queries_total{server=\"primary\"}"),
    ))
}

/// The table.
pub fn render(modes: &[Mode]) -> String {
    let ms = |duration: Duration| format!("{:.2} ms", duration.as_secs_f64() * 1000.0);
    let mut out = String::from(
        "| servers | lookup req/s | lookup p50 | lookup p99 | list req/s | list p50 | list p99 | reads on the primary | \
         WAL position queries on the primary per read |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for mode in modes {
        let reads = mode.on_primary + mode.on_replicas;
        let share = if reads > 0.0 { mode.on_primary / reads * 100.0 } else { 0.0 };
        let positions = if reads > 0.0 { mode.positions / reads } else { 0.0 };
        let _ = writeln!(
            out,
            "| primary + {} replica(s) | {:.0} | {} | {} | {:.0} | {} | {} | {share:.1} % | {positions:.3} |",
            mode.replicas,
            mode.lookup.per_second,
            ms(mode.lookup.p50),
            ms(mode.lookup.p99),
            mode.list.per_second,
            ms(mode.list.p50),
            ms(mode.list.p99),
        );
    }
    if let (Some(alone), Some(one)) = (modes.iter().find(|m| m.replicas == 0), modes.iter().find(|m| m.replicas == 1)) {
        let added = |with: Duration, without: Duration| {
            format!("{:+.2} ms", (with.as_secs_f64() - without.as_secs_f64()) * 1000.0)
        };
        let _ = writeln!(
            out,
            "\nWhat the read-your-writes guarantee costs (one replica against the primary alone): lookup p50 {}, \
             p99 {}; list p50 {}, p99 {}.",
            added(one.lookup.p50, alone.lookup.p50),
            added(one.lookup.p99, alone.lookup.p99),
            added(one.list.p50, alone.list.p50),
            added(one.list.p99, alone.list.p99),
        );
    }
    out
}

/// The file beside the benchmark code.
pub fn document(facts: &[(&'static str, String)], plan: &str, table: &str) -> String {
    let mut out = String::from(
        "# Replica benchmark results\n\nWritten by `cargo xtask bench --replicas` (see README, \"Scaling out\"); \
         rerun it rather than editing this file. Every server is a container of reviewpoint-postgres:17 on this \
         one machine; the service is the production build with production settings.\n\n",
    );
    for (name, value) in facts {
        let _ = writeln!(out, "- {name}: {value}");
    }
    let _ = writeln!(out, "- plan: {plan}\n");
    out.push_str(table);
    out
}

pub fn write(document: &str) -> Result<(), AnyError> {
    let path = Path::new("xtask/bench/replicas.md");
    std::fs::write(path, document)?;
    println!("written to {}", path.display());
    Ok(())
}
