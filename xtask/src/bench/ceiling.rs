//! PostgreSQL's own ceilings, measured with pgbench over TCP like the service:
//! a single-row read (`pgbench -S`) and the service's own files INSERT.

use std::{
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

use tokio_postgres::{Config, config::Host};

use super::cpu::CpuTimes;
use crate::AnyError;

/// What one pgbench run measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ceiling {
    pub per_second: f64,
    pub latency_average: Duration,
    pub failed: u64,
    /// CPU time per transaction, over the measured runs (set by the caller).
    pub cpu: CpuTimes,
}

/// pgbench pointed at one database.
pub struct Pgbench {
    args: Vec<String>,
    password: Option<String>,
}

impl Pgbench {
    pub fn new(database: &Config) -> Result<Self, AnyError> {
        let host = match database.get_hosts().first() {
            Some(Host::Tcp(host)) => host.clone(),
            _ => return Err("the benchmark needs a TCP database address (loopback)".into()),
        };
        let port = database.get_ports().first().copied().unwrap_or(5432);
        let mut args = vec!["-h".to_owned(), host, "-p".to_owned(), port.to_string()];
        if let Some(user) = database.get_user() {
            args.extend(["-U".to_owned(), user.to_owned()]);
        }
        args.push(database.get_dbname().ok_or("the database URL names no database")?.to_owned());
        let password = database.get_password().map(|password| String::from_utf8_lossy(password).into_owned());
        Ok(Self { args, password })
    }

    /// Creates pgbench's own tables (scale 1: 100,000 accounts, all cached).
    pub fn initialize(&self) -> Result<(), AnyError> {
        self.pgbench(&["--initialize", "--scale=1", "--quiet"])?;
        Ok(())
    }

    /// `pgbench -S -M prepared`: the single-row read ceiling.
    pub fn read(&self, clients: u32, duration: Duration) -> Result<Ceiling, AnyError> {
        self.measure(&["--select-only"], clients, duration)
    }

    /// The service's files INSERT, as a prepared statement for `owner`.
    pub fn insert_file(
        &self,
        owner: i64,
        clients: u32,
        duration: Duration,
        scratch: &Path,
    ) -> Result<Ceiling, AnyError> {
        let script = scratch.join("insert_file.sql");
        let statement =
            named_statement(&std::fs::read_to_string("queries/files.sql")?, "insert_file_for_active_owner")?;
        std::fs::write(&script, format!("{statement};\n"))?;
        let file = format!("--file={}", script.display());
        let owner = format!("user_id={owner}");
        self.measure(
            &[&file, "-D", &owner, "-D", "filename=ceiling.pdf", "-D", "content_type=application/pdf"],
            clients,
            duration,
        )
    }

    fn measure(&self, script: &[&str], clients: u32, duration: Duration) -> Result<Ceiling, AnyError> {
        let clients = clients.to_string();
        let seconds = duration.as_secs().max(1).to_string();
        let mut args = vec!["--protocol=prepared", "--no-vacuum", "--client", &clients, "--time", &seconds];
        args.extend_from_slice(script);
        parse(&self.pgbench(&args)?)
    }

    fn pgbench(&self, args: &[&str]) -> Result<String, AnyError> {
        let mut command = Command::new("pgbench");
        command.args(args).args(&self.args).stdin(Stdio::null());
        if let Some(password) = &self.password {
            command.env("PGPASSWORD", password);
        }
        let output = command.output().map_err(|error| {
            format!("cannot run pgbench ({error}): install it, e.g. `apt-get install postgresql-client`")
        })?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if !output.status.success() {
            return Err(format!(
                "pgbench failed ({}): {stdout}{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        }
        Ok(stdout)
    }
}

fn parse(report: &str) -> Result<Ceiling, AnyError> {
    let after = |prefix: &str| report.lines().find_map(|line| line.trim().strip_prefix(prefix).map(str::trim));
    let tps = after("tps = ").ok_or_else(|| format!("no tps in pgbench's report: {report}"))?;
    let latency = after("latency average = ").ok_or_else(|| format!("no latency in pgbench's report: {report}"))?;
    let number = |text: &str| text.split_whitespace().next().unwrap_or_default().parse::<f64>();
    Ok(Ceiling {
        per_second: number(tps)?,
        latency_average: Duration::from_secs_f64(number(latency)? / 1000.0),
        failed: after("number of failed transactions: ").map_or(Ok(0.0), number)? as u64,
        cpu: CpuTimes::default(),
    })
}

/// The text of the cornucopia query `name` in `queries`, without its comments:
/// pgbench's `:name` variables are cornucopia's parameters, so it runs as is.
fn named_statement(queries: &str, name: &str) -> Result<String, AnyError> {
    let marker = format!("--! {name}");
    let start = queries.lines().position(|line| line.starts_with(&marker)).ok_or(format!("no query {name}"))?;
    let statement: Vec<&str> = queries
        .lines()
        .skip(start + 1)
        .filter(|line| !line.starts_with("--"))
        .take_while(|line| !line.trim().is_empty())
        .collect();
    Ok(statement.join("\n").trim_end_matches(';').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_throughput_latency_and_failures_from_pgbench() {
        let report = "transaction type: <builtin: select only>\nnumber of failed transactions: 2 (0.001%)\n\
            latency average = 2.833 ms\ninitial connection time = 20.1 ms\n\
            tps = 11302.123456 (without initial connection time)\n";

        let ceiling = parse(report).expect("parsed");

        assert!((ceiling.per_second - 11302.123456).abs() < 1e-6);
        assert_eq!(ceiling.latency_average, Duration::from_micros(2833));
        assert_eq!(ceiling.failed, 2);
    }

    #[test]
    fn takes_a_named_query_without_its_comments() {
        let queries = "--! other\nSELECT 1;\n\n--! wanted : Row\n--- doc\nINSERT INTO t (a)\nSELECT :a;\n\n--! next\n";

        assert_eq!(named_statement(queries, "wanted").expect("found"), "INSERT INTO t (a)\nSELECT :a");
    }
}
