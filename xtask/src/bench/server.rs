//! The service under test: the real binary as a child process with production
//! settings, and what /proc says about its memory.

use std::{
    fs,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::AnyError;

pub struct Server {
    child: Child,
    pub base: String,
    log: PathBuf,
}

impl Server {
    /// Starts `binary serve` over `database_url` and waits for its first
    /// healthy answer; returns the server and the time that took.
    pub async fn start(binary: &Path, database_url: &str, scratch: &Path) -> Result<(Self, Duration), AnyError> {
        Self::start_with(binary, database_url, &[], scratch).await
    }

    /// The same, with `extra` settings on top of the production ones.
    pub async fn start_with(
        binary: &Path,
        database_url: &str,
        extra: &[(&'static str, String)],
        scratch: &Path,
    ) -> Result<(Self, Duration), AnyError> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let log = scratch.join("server.log");
        let started = Instant::now();
        let child = Command::new(binary)
            .arg("serve")
            // Not the checkout: its .env must not change what is measured.
            .current_dir(scratch)
            .envs(production_settings(database_url, port)?)
            .envs(extra.iter().cloned())
            .stdin(Stdio::null())
            .stdout(fs::File::create(&log)?)
            .stderr(fs::File::create(scratch.join("server.err"))?)
            .spawn()
            .map_err(|error| format!("cannot start {}: {error}", binary.display()))?;
        let mut server = Self { child, base: format!("http://127.0.0.1:{port}"), log };
        let ready = server.wait_until_healthy().await?;
        Ok((server, ready.duration_since(started)))
    }

    async fn wait_until_healthy(&mut self) -> Result<Instant, AnyError> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(1)).build()?;
        let health = format!("{}/api/v1/health", self.base);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(response) = http.get(&health).send().await
                && response.status().is_success()
            {
                return Ok(Instant::now());
            }
            if let Some(status) = self.child.try_wait()? {
                return Err(format!("the server exited ({status}); see {}", self.log.display()).into());
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        Err(format!("no healthy answer within 30 s; see {}", self.log.display()).into())
    }

    /// Starts a new peak: VmHWM counts from here (Linux `clear_refs` 5).
    pub fn reset_peak_rss(&self) -> Result<(), AnyError> {
        fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5")?;
        Ok(())
    }

    /// The highest resident set since start or since the last reset, in bytes.
    pub fn peak_rss(&self) -> Result<u64, AnyError> {
        status_bytes(self.pid(), "VmHWM:")
    }

    /// The resident set now, in bytes.
    pub fn rss(&self) -> Result<u64, AnyError> {
        rss_of(self.pid())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Fails when the process is gone (it must survive every load).
    pub fn check_alive(&mut self) -> Result<(), AnyError> {
        match self.child.try_wait()? {
            Some(status) => Err(format!("the server exited ({status}); see {}", self.log.display()).into()),
            None => Ok(()),
        }
    }
}

/// The resident set of process `pid` now, in bytes.
pub fn rss_of(pid: u32) -> Result<u64, AnyError> {
    status_bytes(pid, "VmRSS:")
}

fn status_bytes(pid: u32, field: &str) -> Result<u64, AnyError> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|line| line.starts_with(field)).ok_or(format!("no {field} in /proc"))?;
    let kib: u64 = line.trim_start_matches(field).trim().trim_end_matches("kB").trim().parse()?;
    Ok(kib * 1024)
}

/// `binary migrate up`, before the server starts (its start time excludes it).
pub fn migrate(binary: &Path, database_url: &str, scratch: &Path) -> Result<(), AnyError> {
    let output = Command::new(binary)
        .args(["migrate", "up"])
        .current_dir(scratch)
        .envs(production_settings(database_url, 0)?)
        .stdin(Stdio::null())
        .output()?;
    if !output.status.success() {
        return Err(format!("migrate up failed: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    Ok(())
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What `cargo xtask bench` runs the service with: production defaults, except
/// login and reset limits raised to their maximum, because the wrong-password
/// loads (enumeration timing, the storm) and the reset timing would otherwise
/// be answered 429.
fn production_settings(database_url: &str, port: u16) -> Result<Vec<(&'static str, String)>, AnyError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|error| format!("no randomness: {error}"))?;
    let secret: String = secret.iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(vec![
        ("REVIEWPOINT_ENVIRONMENT", "prod".into()),
        ("REVIEWPOINT_DB_URL", database_url.into()),
        ("REVIEWPOINT_BIND", format!("127.0.0.1:{port}")),
        ("REVIEWPOINT_JWT_SECRET", secret),
        // Required in prod. Nothing listens there: the reset timing's mail
        // stays undelivered, off the request path.
        ("REVIEWPOINT_SMTP_URL", "smtp://127.0.0.1:1?tls=none".into()),
        ("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT", "1000000".into()),
        ("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_CLIENT", "1000000".into()),
        ("REVIEWPOINT_RESET_MAX_PER_EMAIL", "1000000".into()),
        ("REVIEWPOINT_RESET_MAX_PER_CLIENT", "1000000".into()),
        ("REVIEWPOINT_REGISTER_MAX_PER_CLIENT", "1000000".into()),
    ])
}
