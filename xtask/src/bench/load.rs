//! HTTP load from wrk (Debian's `wrk`), driven by xtask/bench/request.lua.

use std::{
    path::Path,
    process::{Child, Command, Output, Stdio},
    time::Duration,
};

use crate::AnyError;

/// One kind of request, repeated by every connection.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub body: Option<String>,
    pub token: Option<String>,
    /// Statuses that count as success; `None`: any status below 400.
    pub expect: Option<&'static str>,
}

impl Request {
    pub fn get(path: impl Into<String>, token: Option<&str>) -> Self {
        Self { method: "GET", path: path.into(), body: None, token: token.map(str::to_owned), expect: None }
    }

    pub fn post(path: impl Into<String>, body: serde_json::Value, token: Option<&str>) -> Self {
        Self {
            method: "POST",
            path: path.into(),
            body: Some(body.to_string()),
            token: token.map(str::to_owned),
            expect: None,
        }
    }

    pub fn expecting(self, statuses: &'static str) -> Self {
        Self { expect: Some(statuses), ..self }
    }
}

/// What one wrk run measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct Run {
    pub requests: u64,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub p999: Duration,
    /// Answers outside the expected statuses.
    pub unexpected: u64,
    /// Connect, read and write errors and wrk's own timeouts.
    pub socket_errors: u64,
}

/// Runs wrk against `base` and waits for its summary.
pub fn run(base: &str, request: &Request, connections: u32, duration: Duration) -> Result<Run, AnyError> {
    let output = spawn(base, request, connections, duration)?.wait_with_output()?;
    parse(&output)
}

/// Starts wrk without waiting, for a load that runs beside another.
pub fn spawn(base: &str, request: &Request, connections: u32, duration: Duration) -> Result<Child, AnyError> {
    let script = Path::new("xtask/bench/request.lua");
    let mut wrk = Command::new("wrk");
    wrk.args(["--threads", "1", "--connections", &connections.to_string()])
        .args(["--duration", &format!("{}s", duration.as_secs().max(1))])
        // wrk's request timeout; the service's own limits are shorter.
        .args(["--timeout", "10s", "--script"])
        .arg(script)
        .arg(format!("{base}{}", request.path))
        .env("BENCH_METHOD", request.method)
        .env("BENCH_BODY", request.body.as_deref().unwrap_or_default())
        .env("BENCH_TOKEN", request.token.as_deref().unwrap_or_default())
        .env("BENCH_EXPECT", request.expect.unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    wrk.spawn().map_err(|error| format!("cannot run wrk ({error}): install it, e.g. `apt-get install wrk`").into())
}

pub fn parse(output: &Output) -> Result<Run, AnyError> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let Some(line) = stdout.lines().find_map(|line| line.strip_prefix("BENCH ")) else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("wrk printed no summary ({}): {stdout}{stderr}", output.status).into());
    };
    let field = |name: &str| -> Result<u64, AnyError> {
        let value = line
            .split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .ok_or_else(|| format!("wrk summary without {name}: {line}"))?;
        Ok(value.parse()?)
    };
    let micros = |name| field(name).map(Duration::from_micros);
    let requests = field("requests")?;
    let elapsed = micros("duration_us")?;
    Ok(Run {
        requests,
        per_second: requests as f64 / elapsed.as_secs_f64().max(f64::EPSILON),
        p50: micros("p50")?,
        p99: micros("p99")?,
        p999: micros("p999")?,
        unexpected: field("unexpected")?,
        socket_errors: field("connect")? + field("read")? + field("write")? + field("timeout")?,
    })
}

/// The run with the median throughput (runs must not be empty).
pub fn median(mut runs: Vec<Run>) -> Run {
    runs.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
    runs[runs.len() / 2]
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;

    use super::*;

    #[test]
    fn reads_the_scripts_summary_line() {
        let output = Output {
            status: std::process::ExitStatus::from_raw(0),
            stdout: b"Running 1s test\nBENCH requests=2000 duration_us=1000000 unexpected=1 connect=0 read=2 \
                write=0 timeout=1 p50=3000 p99=8000 p999=9500 max=12000\n"
                .to_vec(),
            stderr: Vec::new(),
        };

        let run = parse(&output).expect("parsed");

        assert!((run.per_second - 2000.0).abs() < 1e-6);
        assert_eq!((run.p50, run.p999), (Duration::from_millis(3), Duration::from_micros(9500)));
        assert_eq!((run.unexpected, run.socket_errors), (1, 3));
    }

    #[test]
    fn the_median_run_is_the_middle_one_by_throughput() {
        let runs = [3.0, 1.0, 2.0].map(|per_second| Run { per_second, ..Run::default() });
        assert_eq!(median(runs.to_vec()).per_second, 2.0);
    }
}
