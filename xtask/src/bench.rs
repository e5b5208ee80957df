//! `cargo xtask bench`: the service under load next to PostgreSQL's own
//! ceilings, measured in one run on one machine (see README, "Performance").
//!
//! It builds the production binary (release, no dev services), creates a
//! scratch database, migrates it, starts the server with production
//! settings, seeds one user with 100 files
//! through the API, and then measures, loopback only and bounded in time:
//! pgbench's ceilings, the five loads B1-B5 (wrk, 32 connections, median of
//! several runs after a warm-up), memory per load, start time, login timing
//! for known and unknown emails, a login storm, reads while logins saturate
//! the hashing threads, and reads over a table of a million files. The table
//! goes to stdout and to xtask/bench/results.md. `--smoke` runs everything
//! briefly on the debug build, writes no results, and only checks that no
//! request failed (CI). Server and database are removed whatever happens.

mod ceiling;
mod cpu;
mod load;
mod replicas;
mod report;
mod server;

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use tokio_postgres::{Client, Config, NoTls};

use self::{
    ceiling::{Ceiling, Pgbench},
    cpu::CpuTimes,
    load::{Request, Run},
    server::Server,
};
use crate::AnyError;

#[derive(Debug, clap::Args)]
pub struct Options {
    /// One short run per load on the debug build; no results file. For CI:
    /// fails on any failed request, never on a speed.
    #[arg(long)]
    smoke: bool,
    /// Measured runs per load; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Seconds per run.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Rows added to `files` for the growth loads.
    #[arg(long, default_value_t = 1_000_000)]
    grow_to: i32,
    /// The PostgreSQL server to measure on (a scratch database is created
    /// there); default `REVIEWPOINT_BENCH_DATABASE_URL`, else the local server.
    #[arg(long)]
    database_url: Option<String>,
    /// Instead: the list and lookup loads on a primary alone and with one and
    /// two streaming replicas (containers; needs Docker), into
    /// xtask/bench/replicas.md.
    #[arg(long)]
    replicas: bool,
}

/// How long and how often each load runs.
#[derive(Clone, Copy, Debug)]
struct Plan {
    warm_up: Option<Duration>,
    runs: usize,
    duration: Duration,
}

/// The connections of every throughput load, as in the baseline.
const CONNECTIONS: u32 = 32;
const PASSWORD: &str = "bench password 1";

pub fn run(options: Options) -> Result<(), AnyError> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(run_async(options))
}

async fn run_async(mut options: Options) -> Result<(), AnyError> {
    if options.smoke {
        options = Options { runs: 1, seconds: 1, grow_to: options.grow_to.min(10_000), ..options };
    }
    let plan = Plan {
        warm_up: (!options.smoke).then_some(Duration::from_secs(2)),
        runs: options.runs.max(1),
        duration: Duration::from_secs(options.seconds.max(1)),
    };
    let database_url = plain_unless_told(&options.database_url.clone().unwrap_or_else(|| {
        std::env::var("REVIEWPOINT_BENCH_DATABASE_URL").unwrap_or_else(|_| crate::DEFAULT_SERVER_URL.to_owned())
    }));
    let binary = build(options.smoke)?;
    if options.replicas {
        return replica_mode(binary, plan, &options).await;
    }
    let admin_config: Config = database_url.parse()?;
    let admin = connect(&admin_config).await?;
    let name = format!("reviewpoint_bench_{}", std::process::id());
    let scratch = std::env::temp_dir().join(&name);
    std::fs::create_dir_all(&scratch)?;
    admin.batch_execute(&format!("CREATE DATABASE {name}")).await?;

    let bench = Bench { binary, plan, grow_to: options.grow_to, scratch: scratch.clone() };
    let mut database = admin_config.clone();
    database.dbname(&name);
    let measured = bench.measure(&with_database(&database_url, &name)?, database).await;

    let dropped = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    let _ = std::fs::remove_dir_all(&scratch);
    let measured = measured?;
    dropped?;

    let query_layer = if options.smoke { None } else { Some(query_layer(&database_url)?) };
    let table = report::render(&measured, query_layer.as_ref());
    println!("{table}");
    if !options.smoke {
        let path = Path::new("xtask/bench/results.md");
        std::fs::write(path, report::document(&measured, &table, &plan_text(&plan, &options)))?;
        println!("written to {}", path.display());
    }
    match measured.failures() {
        0 => Ok(()),
        failures => Err(format!("{failures} request(s) failed or were refused; see the table").into()),
    }
}

/// `--replicas`: see replicas.rs.
async fn replica_mode(binary: PathBuf, plan: Plan, options: &Options) -> Result<(), AnyError> {
    let scratch = std::env::temp_dir().join(format!("reviewpoint_bench_replicas_{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let bench = Bench { binary, plan, grow_to: 0, scratch: scratch.clone() };
    let measured = bench.replicas().await;
    let _ = std::fs::remove_dir_all(&scratch);
    let (facts, modes) = measured?;
    let table = replicas::render(&modes);
    println!("{table}");
    if !options.smoke {
        let plan = format!(
            "wrk -t1 -c{CONNECTIONS}, {} run(s) of {} s per load after a {} s warm-up, median run reported",
            plan.runs,
            plan.duration.as_secs(),
            plan.warm_up.map_or(0, |warm_up| warm_up.as_secs())
        );
        replicas::write(&replicas::document(&facts, &plan, &table))?;
    }
    let failed: u64 =
        modes.iter().flat_map(|mode| [&mode.lookup, &mode.list]).map(|run| run.unexpected + run.socket_errors).sum();
    match failed {
        0 => Ok(()),
        failed => Err(format!("{failed} request(s) failed or were refused; see the table").into()),
    }
}

fn plan_text(plan: &Plan, options: &Options) -> String {
    format!(
        "wrk -t1 -c{CONNECTIONS}, {} run(s) of {} s per load after a {} s warm-up, median run reported; \
         pgbench -M prepared -c {CONNECTIONS} for {} s per run; growth: {} rows added",
        plan.runs,
        plan.duration.as_secs(),
        plan.warm_up.map_or(0, |warm_up| warm_up.as_secs()),
        plan.duration.as_secs(),
        options.grow_to,
    )
}

/// The query-layer micro-benchmark's medians (xtask/bench/query_layer.rs).
pub struct QueryLayer {
    pub cornucopia: Duration,
    pub prepare_cached: Duration,
    pub uncached: Duration,
}

/// Runs xtask/bench/query_layer.rs (criterion) and reads its medians. Not in
/// smoke mode: it needs a release build of the test dependencies, and CI's
/// clippy run keeps it compiling.
/// The service's database URL: plain text unless the URL names an
/// `sslmode`, as in every run before the service spoke TLS (its default is
/// now libpq's `prefer`, which encrypts when the server offers it). TLS to a
/// database on the same machine protects nothing, and it costs: measured on
/// the machine's PostgreSQL over loopback, about 6 µs of the server's CPU
/// and 8 µs of PostgreSQL's per round trip (README, Performance). pgbench's
/// ceilings keep libpq's default, as before.
fn plain_unless_told(url: &str) -> String {
    match (url.contains("sslmode="), url.contains('?')) {
        (true, _) => url.to_owned(),
        (false, true) => format!("{url}&sslmode=disable"),
        (false, false) => format!("{url}?sslmode=disable"),
    }
}

fn query_layer(database_url: &str) -> Result<QueryLayer, AnyError> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["bench", "--quiet", "--package", "reviewpoint", "--bench", "query_layer"])
        .env("REVIEWPOINT_BENCH_DATABASE_URL", database_url)
        .status()?;
    if !status.success() {
        return Err("the query-layer benchmark failed".into());
    }
    let median = |name: &str| -> Result<Duration, AnyError> {
        let path = format!("target/criterion/caller_in_session/{name}/new/estimates.json");
        let estimates: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        let nanos = estimates["median"]["point_estimate"].as_f64().ok_or(format!("no median in {path}"))?;
        Ok(Duration::from_secs_f64(nanos / 1e9))
    };
    Ok(QueryLayer {
        cornucopia: median("cornucopia")?,
        prepare_cached: median("prepare_cached")?,
        uncached: median("uncached")?,
    })
}

/// Builds the service; for measuring, the production build (release, no
/// dev services), for a smoke run the debug build the tests already made.
fn build(smoke: bool) -> Result<PathBuf, AnyError> {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.args(["build", "--quiet", "--package", "reviewpoint", "--bin", "reviewpoint"]);
    if !smoke {
        cargo.args(["--release", "--no-default-features"]);
    }
    if !cargo.status()?.success() {
        return Err("building the service failed".into());
    }
    // Absolute: the server runs in a scratch folder, away from the checkout's .env.
    Ok(std::fs::canonicalize("target")?.join(if smoke { "debug" } else { "release" }).join("reviewpoint"))
}

async fn connect(config: &Config) -> Result<Client, AnyError> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// `url` with its database replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> Result<String, AnyError> {
    let (address, query) = url.split_once('?').map_or((url, None), |(address, query)| (address, Some(query)));
    let (scheme, rest) = address.split_once("://").ok_or("expected a postgresql:// URL")?;
    let authority = rest.split_once('/').map_or(rest, |(authority, _)| authority);
    let query = query.map(|query| format!("?{query}")).unwrap_or_default();
    Ok(format!("{scheme}://{authority}/{name}{query}"))
}

struct Bench {
    binary: PathBuf,
    plan: Plan,
    grow_to: i32,
    scratch: PathBuf,
}

/// A caller of the API: id and bearer token.
struct Caller {
    id: i64,
    token: String,
}

/// One load's median run, its ceiling and memory.
#[derive(Clone, Debug)]
pub struct Measured {
    pub name: &'static str,
    pub run: Run,
    /// PostgreSQL's rate for the same kind of work, when there is one.
    pub ceiling: Option<Ceiling>,
    pub peak_rss: u64,
    /// CPU time per request, over the measured runs.
    pub cpu: CpuTimes,
}

pub struct Storm {
    pub connections: u32,
    pub run: Run,
    pub rss_before: u64,
    pub peak_rss: u64,
    /// Resident set 10 s after the storm (or as soon as it was under 40 MiB).
    pub rss_after: u64,
    pub back_under_40_mib: Option<Duration>,
}

pub struct Growth {
    pub rows: i64,
    pub caller_files: i64,
    pub lookup: Run,
    pub first_page: Run,
    pub deep_page: Run,
    pub deep_position: usize,
}

pub struct Results {
    pub facts: Vec<(&'static str, String)>,
    pub start: Duration,
    pub read_ceiling: Ceiling,
    pub write_ceiling: Ceiling,
    pub loads: Vec<Measured>,
    pub steady_rss: u64,
    pub login_known: Run,
    pub login_unknown: Run,
    /// Password reset requests for an account's email and for no account's.
    pub reset_known: Run,
    pub reset_unknown: Run,
    pub storm: Storm,
    pub reads_during_logins: Run,
    pub logins_beside_reads: Run,
    pub growth: Growth,
}

impl Results {
    /// Requests answered outside their expected statuses, or lost on the socket.
    fn failures(&self) -> u64 {
        let runs = self.loads.iter().map(|load| &load.run).chain([
            &self.login_known,
            &self.login_unknown,
            &self.reset_known,
            &self.reset_unknown,
            &self.storm.run,
            &self.reads_during_logins,
            &self.logins_beside_reads,
            &self.growth.lookup,
            &self.growth.first_page,
            &self.growth.deep_page,
        ]);
        runs.map(|run| run.unexpected + run.socket_errors).sum::<u64>()
            + self.read_ceiling.failed
            + self.write_ceiling.failed
    }

    pub fn load(&self, name: &str) -> Option<&Measured> {
        self.loads.iter().find(|load| load.name == name)
    }
}

impl Bench {
    async fn measure(&self, database_url: &str, database: Config) -> Result<Results, AnyError> {
        server::migrate(&self.binary, database_url, &self.scratch)?;
        let (mut server, start) = Server::start(&self.binary, database_url, &self.scratch).await?;
        let http = reqwest::Client::new();
        let owner = seed_caller(&http, &server.base, "bench@example.com").await?;
        for n in 0..100 {
            let body = json!({ "filename": format!("seed-{n}.pdf"), "content_type": "application/pdf" });
            post(&http, &server.base, "/api/v1/files", Some(&owner.token), body, 201).await?;
        }
        let pgbench = Pgbench::new(&database)?;
        pgbench.initialize()?;
        let facts = facts(&database).await?;

        let read_ceiling = self.ceiling(|duration| pgbench.read(CONNECTIONS, duration))?;
        let token = Some(owner.token.as_str());
        let login = json!({ "email": "bench@example.com", "password": PASSWORD });
        let mut loads = Vec::new();
        let mut steady_rss = 0;
        for (name, request) in [
            ("B1 GET /api/v1/health", Request::get("/api/v1/health", None)),
            ("B2 GET /api/v1/users/{id}", Request::get(format!("/api/v1/users/{}", owner.id), token)),
            ("B3 GET /api/v1/files?limit=20", Request::get("/api/v1/files?limit=20", token)),
        ] {
            let (measured, rss) = self.load(&mut server, name, &request, Some(read_ceiling))?;
            steady_rss = steady_rss.max(rss);
            loads.push(measured);
        }
        let write_ceiling =
            self.ceiling(|duration| pgbench.insert_file(owner.id, CONNECTIONS, duration, &self.scratch))?;
        let create = Request::post(
            "/api/v1/files",
            json!({ "filename": "bench.pdf", "content_type": "application/pdf" }),
            token,
        );
        let (measured, rss) = self.load(&mut server, "B4 POST /api/v1/files", &create, Some(write_ceiling))?;
        steady_rss = steady_rss.max(rss);
        loads.push(measured);
        let logins = Request::post("/api/v1/auth/login", login.clone(), None);
        loads.push(self.load(&mut server, "B5 POST /api/v1/auth/login", &logins, None)?.0);
        self.drain_hashing();

        let (login_known, login_unknown) = self.login_timing(&server)?;
        let (reset_known, reset_unknown) = self.reset_timing(&server)?;
        let storm = self.storm(&mut server).await?;
        post(&http, &server.base, "/api/v1/auth/login", None, login, 200).await?;
        let unloaded_reads = Request::get(format!("/api/v1/users/{}", owner.id), token);
        let (reads_during_logins, logins_beside_reads) = self.reads_during_logins(&server, &unloaded_reads, &logins)?;
        self.drain_hashing();
        let growth = self.growth(&mut server, &http, &database).await?;
        server.check_alive()?;

        Ok(Results {
            facts,
            start,
            read_ceiling,
            write_ceiling,
            loads,
            steady_rss,
            login_known,
            login_unknown,
            reset_known,
            reset_unknown,
            storm,
            reads_during_logins,
            logins_beside_reads,
            growth,
        })
    }

    /// Warm-up, then the measured runs of `request`; the median run.
    fn median_run(&self, base: &str, request: &Request) -> Result<Run, AnyError> {
        if let Some(warm_up) = self.plan.warm_up {
            load::run(base, request, CONNECTIONS, warm_up)?;
        }
        let runs = (0..self.plan.runs)
            .map(|_| load::run(base, request, CONNECTIONS, self.plan.duration))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(load::median(runs))
    }

    fn ceiling(&self, measure: impl Fn(Duration) -> Result<Ceiling, AnyError>) -> Result<Ceiling, AnyError> {
        if let Some(warm_up) = self.plan.warm_up {
            measure(warm_up)?;
        }
        let before = CpuTimes::now(None)?;
        let mut runs = (0..self.plan.runs).map(|_| measure(self.plan.duration)).collect::<Result<Vec<_>, _>>()?;
        let used = CpuTimes::now(None)? - before;
        let transactions: f64 = runs.iter().map(|run| run.per_second * self.plan.duration.as_secs_f64()).sum();
        runs.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
        Ok(Ceiling { cpu: used.per(transactions), ..runs[runs.len() / 2] })
    }

    /// Warm-up, then the measured runs; returns the median run and the
    /// highest resident set sampled while they ran.
    fn load(
        &self,
        server: &mut Server,
        name: &'static str,
        request: &Request,
        ceiling: Option<Ceiling>,
    ) -> Result<(Measured, u64), AnyError> {
        if let Some(warm_up) = self.plan.warm_up {
            load::run(&server.base, request, CONNECTIONS, warm_up)?;
        }
        server.reset_peak_rss()?;
        let sampler = RssSampler::start(server.pid());
        let before = CpuTimes::now(Some(server.pid()))?;
        let runs = (0..self.plan.runs)
            .map(|_| load::run(&server.base, request, CONNECTIONS, self.plan.duration))
            .collect::<Result<Vec<_>, _>>()?;
        let used = CpuTimes::now(Some(server.pid()))? - before;
        let sampled = sampler.stop();
        server.check_alive()?;
        let requests = runs.iter().map(|run| run.requests).sum::<u64>();
        let measured = Measured {
            name,
            run: load::median(runs),
            ceiling,
            peak_rss: server.peak_rss()?,
            cpu: used.per(requests as f64),
        };
        Ok((measured, sampled))
    }

    /// Wrong passwords for a known email and for an unknown one, expecting
    /// the same 401: one connection each (one hash per core, no queueing),
    /// both at once, so whatever else the machine does affects both alike.
    fn login_timing(&self, server: &Server) -> Result<(Run, Run), AnyError> {
        let attempt = |email: &str| {
            let body = json!({ "email": email, "password": "not the password" });
            Request::post("/api/v1/auth/login", body, None).expecting("401")
        };
        self.side_by_side(server, &attempt("bench@example.com"), &attempt("nobody@example.com"))
    }

    /// Password reset requests for the bench account's email and for an
    /// email no account has, expecting the same 202, side by side as above.
    /// The account's requests each store a token and a mail; the server's
    /// sender fails to deliver them (no SMTP server listens), off the
    /// request path.
    fn reset_timing(&self, server: &Server) -> Result<(Run, Run), AnyError> {
        let request = |email: &str| {
            Request::post("/api/v1/auth/password-reset", json!({ "email": email }), None).expecting("202")
        };
        self.side_by_side(server, &request("bench@example.com"), &request("nobody@example.com"))
    }

    /// `known` and `unknown` on one connection each, at the same time.
    fn side_by_side(&self, server: &Server, known: &Request, unknown: &Request) -> Result<(Run, Run), AnyError> {
        let side_by_side = |duration| -> Result<(Run, Run), AnyError> {
            let known = load::spawn(&server.base, known, 1, duration)?;
            let unknown = load::spawn(&server.base, unknown, 1, duration)?;
            Ok((load::parse(&known.wait_with_output()?)?, load::parse(&unknown.wait_with_output()?)?))
        };
        if let Some(warm_up) = self.plan.warm_up {
            side_by_side(warm_up)?;
        }
        let runs = (0..self.plan.runs).map(|_| side_by_side(self.plan.duration)).collect::<Result<Vec<_>, _>>()?;
        let (known_runs, unknown_runs) = runs.into_iter().unzip();
        Ok((load::median(known_runs), load::median(unknown_runs)))
    }

    /// Hashes still queued when a login load ends keep the hashing threads
    /// busy for up to a second (the queue's bound); let them finish before
    /// the next measurement.
    fn drain_hashing(&self) {
        std::thread::sleep(Duration::from_secs(1));
    }

    /// 300 concurrent wrong-password logins: peak memory, and how fast it
    /// goes back.
    async fn storm(&self, server: &mut Server) -> Result<Storm, AnyError> {
        let connections = 300;
        let body = json!({ "email": "bench@example.com", "password": "not the password" });
        let attempt = Request::post("/api/v1/auth/login", body, None).expecting("401,503");
        let rss_before = server.rss()?;
        server.reset_peak_rss()?;
        let duration = if self.plan.warm_up.is_some() { Duration::from_secs(3) } else { Duration::from_secs(1) };
        let run = load::run(&server.base, &attempt, connections, duration)?;
        let peak_rss = server.peak_rss()?;
        let ended = Instant::now();
        let mut back_under_40_mib = None;
        while ended.elapsed() < Duration::from_secs(10) {
            if server.rss()? < 40 << 20 {
                back_under_40_mib = Some(ended.elapsed());
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server.check_alive()?;
        Ok(Storm { connections, run, rss_before, peak_rss, rss_after: server.rss()?, back_under_40_mib })
    }

    /// B2 while B5 keeps every hashing thread busy.
    fn reads_during_logins(&self, server: &Server, reads: &Request, logins: &Request) -> Result<(Run, Run), AnyError> {
        let logging_in = load::spawn(&server.base, logins, CONNECTIONS, self.plan.duration + Duration::from_secs(2))?;
        std::thread::sleep(Duration::from_secs(1));
        let read = load::run(&server.base, reads, CONNECTIONS, self.plan.duration);
        let logged_in = load::parse(&logging_in.wait_with_output()?);
        Ok((read?, logged_in?))
    }

    /// A caller with 1 % of a million new files: lookups, the first page and a
    /// page deep in the list.
    async fn growth(&self, server: &mut Server, http: &reqwest::Client, database: &Config) -> Result<Growth, AnyError> {
        let caller = seed_caller(http, &server.base, "grower@example.com").await?;
        let client = connect(database).await?;
        let grow = std::fs::read_to_string("xtask/bench/grow.sql")?;
        let started = Instant::now();
        client.execute(grow.as_str(), &[&caller.id, &self.grow_to]).await?;
        // What a settled table looks like: statistics current, hint bits and
        // the visibility map set, the bulk load's WAL checkpointed; otherwise
        // the first reads pay for the load's aftermath.
        // (Two calls: several statements in one would share a transaction,
        // which VACUUM refuses.)
        client.batch_execute("VACUUM (ANALYZE) files").await?;
        client.batch_execute("CHECKPOINT").await?;
        println!("growth: {} rows added in {:.1} s", self.grow_to, started.elapsed().as_secs_f64());
        let rows: i64 = client.query_one("SELECT count(*) FROM files", &[]).await?.get(0);
        let caller_files: i64 =
            client.query_one("SELECT count(*) FROM files WHERE user_id = $1", &[&caller.id]).await?.get(0);

        // The cursor 90 % of the way down the caller's list.
        let deep_position = usize::try_from(caller_files)? * 9 / 10;
        let step = deep_position.clamp(1, 100);
        let mut cursor: Option<String> = None;
        let mut position = 0;
        while position + step <= deep_position {
            let query = cursor.as_ref().map(|cursor| format!("&cursor={cursor}")).unwrap_or_default();
            let page = get(http, &server.base, &format!("/api/v1/files?limit={step}{query}"), &caller.token).await?;
            cursor = page["next_cursor"].as_str().map(str::to_owned);
            position += step;
        }
        let deep =
            format!("/api/v1/files?limit=20{}", cursor.map(|cursor| format!("&cursor={cursor}")).unwrap_or_default());

        let token = Some(caller.token.as_str());
        let measure = |request: Request| self.median_run(&server.base, &request);
        Ok(Growth {
            rows,
            caller_files,
            lookup: measure(Request::get(format!("/api/v1/users/{}", caller.id), token))?,
            first_page: measure(Request::get("/api/v1/files?limit=20", token))?,
            deep_page: measure(Request::get(deep, token))?,
            deep_position: position,
        })
    }
}

/// The machine and software the figures belong to.
async fn facts(database: &Config) -> Result<Vec<(&'static str, String)>, AnyError> {
    let client = connect(database).await?;
    let postgres: String = client.query_one("SHOW server_version", &[]).await?.get(0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")?
        .lines()
        .find_map(|line| line.strip_prefix("model name")?.split_once(':').map(|(_, model)| model.trim().to_owned()))
        .unwrap_or_else(|| "unknown".into());
    let command = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let dirty = if command("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty() {
        ""
    } else {
        " (with uncommitted changes)"
    };
    Ok(vec![
        ("commit", format!("{}{dirty}", command("git", &["rev-parse", "--short", "HEAD"]))),
        ("date", command("date", &["-u", "+%Y-%m-%d %H:%M UTC"])),
        ("cores", std::thread::available_parallelism().map_or(0, usize::from).to_string()),
        ("cpu", cpu),
        ("PostgreSQL", postgres),
        ("wrk", command("wrk", &["--version"]).lines().next().unwrap_or_default().to_owned()),
    ])
}

/// Registers `email` and logs in.
async fn seed_caller(http: &reqwest::Client, base: &str, email: &str) -> Result<Caller, AnyError> {
    let credentials = json!({ "email": email, "password": PASSWORD });
    let user = post(http, base, "/api/v1/auth/register", None, credentials.clone(), 201).await?;
    let login = post(http, base, "/api/v1/auth/login", None, credentials, 200).await?;
    Ok(Caller {
        id: user["id"].as_i64().ok_or("registration answered no id")?,
        token: login["access_token"].as_str().ok_or("login answered no token")?.to_owned(),
    })
}

async fn post(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    token: Option<&str>,
    body: Value,
    expected: u16,
) -> Result<Value, AnyError> {
    let request = http.post(format!("{base}{path}")).json(&body);
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    answer(request.send().await?, expected, path).await
}

async fn get(http: &reqwest::Client, base: &str, path: &str, token: &str) -> Result<Value, AnyError> {
    answer(http.get(format!("{base}{path}")).bearer_auth(token).send().await?, 200, path).await
}

async fn answer(response: reqwest::Response, expected: u16, path: &str) -> Result<Value, AnyError> {
    let status = response.status().as_u16();
    let text = response.text().await?;
    if status != expected {
        return Err(format!("{path} answered {status}, expected {expected}: {text}").into());
    }
    Ok(serde_json::from_str(&text)?)
}

/// Samples the server's resident set every 50 ms on a thread of its own.
struct RssSampler {
    running: Arc<AtomicBool>,
    highest: Arc<AtomicU64>,
    thread: std::thread::JoinHandle<()>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let running = Arc::new(AtomicBool::new(true));
        let highest = Arc::new(AtomicU64::new(0));
        let thread = std::thread::spawn({
            let (running, highest) = (running.clone(), highest.clone());
            move || {
                while running.load(Ordering::Relaxed) {
                    if let Ok(rss) = server::rss_of(pid) {
                        highest.fetch_max(rss, Ordering::Relaxed);
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        });
        Self { running, highest, thread }
    }

    fn stop(self) -> u64 {
        self.running.store(false, Ordering::Relaxed);
        let _ = self.thread.join();
        self.highest.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_and_keeps_the_rest_of_the_url() {
        let cases = [
            ("postgresql://postgres@127.0.0.1:5432/postgres", "postgresql://postgres@127.0.0.1:5432/b"),
            ("postgresql://u:p@h/db?sslmode=disable", "postgresql://u:p@h/b?sslmode=disable"),
            ("postgres://h:5433", "postgres://h:5433/b"),
        ];
        for (url, expected) in cases {
            assert_eq!(with_database(url, "b").expect("valid"), expected);
        }
    }
}
