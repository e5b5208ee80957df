//! A silent network between the server and PostgreSQL: packets dropped, not
//! refused, so new connects wait in SYN retries and queries in flight wait on
//! retransmission, and nothing is ever closed. Every request is still
//! answered within the request budget (10 s), with 503 and Retry-After, and
//! once the network is back requests succeed without a restart.
//!
//! The fault is made for real where the test can: as root, the server runs
//! as `nobody` and iptables drops every packet `nobody` sends except its HTTP
//! answers. Elsewhere a proxy between the two swallows the traffic instead
//! (connects then succeed at once, so only the in-flight half is shown).

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use reviewpoint::{config::DatabaseUrl, db::REQUEST_BUDGET};
use serde_json::json;

use crate::{
    cli::{env_url, free_port, wait_for_health},
    helpers::{PASSWORD, TestDb},
    proxy::{ChaosProxy, Mode},
};

const NOBODY: &str = "65534";

/// How the network is cut.
enum Partition {
    /// An iptables rule dropping what uid `nobody` sends, but for the answers
    /// from `http_port`.
    Firewall {
        rule: Vec<String>,
    },
    Proxy(ChaosProxy),
}

impl Partition {
    fn firewall_available() -> bool {
        let root = Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.starts_with(b"0\n"));
        root && Command::new("iptables")
            .args(["-w", "-L", "OUTPUT", "-n"])
            .output()
            .is_ok_and(|out| out.status.success())
    }

    fn firewall(http_port: u16) -> Self {
        let rule = [
            "OUTPUT",
            "-m",
            "owner",
            "--uid-owner",
            NOBODY,
            "-p",
            "tcp",
            "!",
            "--sport",
            &http_port.to_string(),
            "-m",
            "comment",
            "--comment",
            &format!("reviewpoint-test-{}", std::process::id()),
            "-j",
            "DROP",
        ]
        .map(str::to_owned)
        .to_vec();
        Self::Firewall { rule }
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Firewall { .. } => "iptables DROP of the server's packets",
            Self::Proxy(_) => "a proxy that swallows the traffic",
        }
    }

    fn cut(&self) {
        match self {
            Self::Firewall { rule } => iptables("-I", rule),
            Self::Proxy(proxy) => proxy.set(Mode::Blackhole),
        }
    }

    fn heal(&self) {
        match self {
            Self::Firewall { rule } => iptables("-D", rule),
            Self::Proxy(proxy) => proxy.set(Mode::Forward),
        }
    }
}

impl Drop for Partition {
    fn drop(&mut self) {
        if let Self::Firewall { rule } = self {
            // Gone already unless the test failed while the network was cut.
            let _ = Command::new("iptables").arg("-w").arg("-D").args(rule.iter()).output();
        }
    }
}

fn iptables(action: &str, rule: &[String]) {
    let status = Command::new("iptables").arg("-w").arg(action).args(rule).status().expect("iptables runs");
    assert!(status.success(), "iptables {action} {rule:?}");
}

/// The server binary on `port` over `url`; as `nobody` when `as_nobody`.
fn start_server(url: &DatabaseUrl, port: u16, as_nobody: bool) -> Child {
    let binary = env!("CARGO_BIN_EXE_reviewpoint");
    let mut command = if as_nobody {
        let mut command = Command::new("setpriv");
        command.args([&format!("--reuid={NOBODY}"), &format!("--regid={NOBODY}"), "--clear-groups", binary]);
        command
    } else {
        Command::new(binary)
    };
    command
        .arg("serve")
        .env("REVIEWPOINT_DB_URL", env_url(url))
        .env("REVIEWPOINT_ENVIRONMENT", "test")
        .env("REVIEWPOINT_BIND", format!("127.0.0.1:{port}"))
        // The instrumented build of CI cannot write its profile as nobody.
        .env("LLVM_PROFILE_FILE", "/dev/null")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the server")
}

/// One request's outcome.
struct Answer {
    health: bool,
    status: u16,
    retry_after: bool,
    took: Duration,
}

async fn ask(http: &reqwest::Client, url: &str, token: Option<&str>) -> Answer {
    let started = Instant::now();
    let request = http.get(url).timeout(Duration::from_secs(30));
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    match request.send().await {
        Ok(response) => Answer {
            health: token.is_none(),
            status: response.status().as_u16(),
            retry_after: response.headers().contains_key("retry-after"),
            took: started.elapsed(),
        },
        Err(_) => Answer { health: token.is_none(), status: 0, retry_after: false, took: started.elapsed() },
    }
}

#[tokio::test]
async fn while_the_network_to_postgresql_is_silent_every_request_is_answered_within_the_budget() {
    let db = TestDb::new().await;
    let port = free_port();
    let (partition, url, as_nobody) = if Partition::firewall_available() {
        (Partition::firewall(port), db.url.clone(), true)
    } else {
        let (proxy, proxied) = ChaosProxy::in_front_of(&db.url).await;
        (Partition::Proxy(proxy), proxied, false)
    };
    let mut server = start_server(&url, port, as_nobody);
    assert_eq!(wait_for_health(port).await, 200);
    let (http, base) =
        (crate::helpers::http_client().build().expect("client"), format!("http://127.0.0.1:{port}/api/v1"));
    let body = json!({ "email": "ann@example.com", "password": PASSWORD });
    assert_eq!(http.post(format!("{base}/auth/register")).json(&body).send().await.expect("sent").status(), 201);
    let tokens: serde_json::Value =
        http.post(format!("{base}/auth/login")).json(&body).send().await.expect("sent").json().await.expect("JSON");
    let token = tokens["access_token"].as_str().expect("a token").to_owned();
    let (files, health) = (format!("{base}/files"), format!("{base}/health"));
    assert_eq!(ask(&http, &files, Some(&token)).await.status, 200);

    // Light load while the network is silent: a request every 250 ms, on
    // fresh connections and pooled ones alike, and health beside them.
    partition.cut();
    let cut = Instant::now();
    let silence = Duration::from_secs(15);
    let mut asked = tokio::task::JoinSet::new();
    while cut.elapsed() < silence {
        let (client, files, token) = (http.clone(), files.clone(), token.clone());
        asked.spawn(async move { ask(&client, &files, Some(&token)).await });
        let (client, health) = (http.clone(), health.clone());
        asked.spawn(async move { ask(&client, &health, None).await });
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let during: Vec<Answer> = asked.join_all().await;
    partition.heal();
    let healed = Instant::now();
    let mut back = ask(&http, &files, Some(&token)).await;
    while back.status != 200 && healed.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        back = ask(&http, &files, Some(&token)).await;
    }
    let recovered = healed.elapsed();
    let after: Vec<Answer> = futures::future::join_all((0..8).map(|_| ask(&http, &files, Some(&token)))).await;
    let _ = server.kill();
    let _ = server.wait();

    let longest = during.iter().map(|answer| answer.took).max().unwrap_or_default();
    let longest_health = during.iter().filter(|answer| answer.health).map(|answer| answer.took).max();
    let longest_health = longest_health.unwrap_or_default();
    let count = |status: u16| during.iter().filter(|answer| answer.status == status).count();
    println!(
        "{} for {silence:?}: {} requests, {} answered 200, {} answered 503, {} unanswered; longest answer {longest:.1?} \
         (budget {REQUEST_BUDGET:?}), of health {longest_health:.1?}; requests succeed again {recovered:.1?} after the network is back",
        partition.name(),
        during.len(),
        count(200),
        count(503),
        count(0),
    );
    for answer in &during {
        assert!(matches!(answer.status, 200 | 503), "answered {} after {:.1?}", answer.status, answer.took);
        assert!(answer.status == 200 || answer.retry_after, "a 503 says when to retry");
    }
    assert!(longest <= REQUEST_BUDGET + Duration::from_secs(1), "the longest answer took {longest:?}");
    let health_timeout = reviewpoint::state::HEALTH_TIMEOUT;
    assert!(longest_health <= health_timeout + Duration::from_secs(1), "health took {longest_health:?}");
    assert!(count(503) > 0, "the partition was felt");
    assert_eq!(back.status, 200, "requests succeed again once the network is back");
    assert!(after.iter().all(|answer| answer.status == 200), "no dead connection is handed out afterwards");
}
