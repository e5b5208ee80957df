//! SeaweedFS (`weed mini`), the real S3-compatible server the storage tests
//! run against: one per test binary, started on first use on ports of its
//! own, with one bucket and its own credentials, and stopped when this
//! process exits. `REVIEWPOINT_TEST_WEED` names the binary (default `weed`
//! on the PATH); `bash tests/seaweedfs/install.sh` installs it and prints it.

use std::{
    path::PathBuf,
    process::{Command, Stdio},
    sync::OnceLock,
    time::{Duration, Instant},
};

use reviewpoint::{
    config::StorageUrl,
    storage::{ObjectKey, S3Credentials, Storage},
};

use crate::{cli::free_port, helpers::when_this_process_exits};

pub const BUCKET: &str = "reviewpoint";
const ACCESS_KEY_ID: &str = "reviewpoint-tests";
const SECRET_ACCESS_KEY: &str = "reviewpoint-tests-secret";
const NEEDS_WEED: &str =
    "the storage tests need SeaweedFS: export REVIEWPOINT_TEST_WEED=$(bash tests/seaweedfs/install.sh)";

/// The shared server's bucket, as configuration names it.
pub struct SeaweedFs {
    pub url: StorageUrl,
    pub log: PathBuf,
    /// Kept, never waited for: the reaper stops it after this process.
    _server: std::process::Child,
}

impl SeaweedFs {
    pub fn credentials(&self) -> S3Credentials {
        S3Credentials::Keys { access_key_id: ACCESS_KEY_ID.into(), secret_access_key: SECRET_ACCESS_KEY.into() }
    }

    /// The store, ready: the first call waits until the bucket takes a write.
    pub async fn storage(&self) -> Storage {
        let storage = Storage::open(&self.url, &self.credentials()).expect("open SeaweedFS");
        static READY: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
        READY.get_or_init(|| until_ready(&storage, &self.log)).await;
        storage
    }
}

pub fn seaweedfs() -> &'static SeaweedFs {
    static SERVER: OnceLock<SeaweedFs> = OnceLock::new();
    SERVER.get_or_init(start)
}

fn start() -> SeaweedFs {
    let weed = std::env::var("REVIEWPOINT_TEST_WEED").unwrap_or_else(|_| "weed".into());
    let dir = std::env::temp_dir().join(format!("rvt-seaweedfs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a data directory");
    let log = dir.join("weed.log");
    let s3_port = free_port();
    let port = |flag: &str| format!("-{flag}={}", free_port());
    let child = Command::new(&weed)
        .arg("mini")
        .arg(format!("-dir={}", dir.display()))
        .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1", &format!("-bucket={BUCKET}"), "-admin.ui=false", "-webdav=false"])
        .args(["-s3.port.iceberg=0", "-s3.port.lance=0", &format!("-s3.port={s3_port}")])
        .args(
            ["master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port", "filer.port.grpc"]
                .map(port),
        )
        .args(["s3.port.grpc", "admin.port", "admin.port.grpc"].map(port))
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).expect("a log file"))
        .stderr(Stdio::from(std::fs::File::options().append(true).open(&log).expect("the log file")))
        .spawn()
        .unwrap_or_else(|error| panic!("{NEEDS_WEED} ({weed}: {error})"));
    stop_when_this_process_exits(child.id(), &dir);
    let endpoint = format!("http://127.0.0.1:{s3_port}");
    SeaweedFs {
        url: StorageUrl::parse(&format!("s3://{BUCKET}?endpoint={endpoint}&region=us-east-1")).expect("an S3 URL"),
        log,
        _server: child,
    }
}

/// Polls with a tiny write until the server has its bucket: a readiness
/// check (it takes about a second), not a sleep.
async fn until_ready(storage: &Storage, log: &std::path::Path) {
    let started = Instant::now();
    let key = ObjectKey::stored("readiness/probe");
    loop {
        let probe = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"ok"))]);
        match storage.write(&key, probe, 2).await {
            Ok(_) => return,
            Err(error) if started.elapsed() > Duration::from_secs(30) => {
                let log = std::fs::read_to_string(log).unwrap_or_default();
                panic!("SeaweedFS did not take a write within 30 s: {error}\n{log}");
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// A static is never dropped: the server is stopped, and its data removed,
/// once this process has ended.
fn stop_when_this_process_exits(server: u32, dir: &std::path::Path) {
    let command =
        format!("kill {server} 2>/dev/null; sleep 2; kill -9 {server} 2>/dev/null; rm -rf '{}'", dir.display());
    when_this_process_exits(&command, &format!("SeaweedFS (pid {server})"));
}
