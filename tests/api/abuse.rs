//! The real binary under attack: what a storm does to its memory and threads.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use crate::{
    cli::serve,
    helpers::{PASSWORD, TestDb},
};

/// A field of `/proc/<pid>/status`, in kB or a count.
fn proc_status(child: &Child, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).expect("the server is running");
    let line = status.lines().find(|line| line.starts_with(field)).unwrap_or_else(|| panic!("no {field}"));
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a number")
}

#[tokio::test]
async fn a_storm_of_wrong_password_logins_stays_bounded_in_memory_and_threads() {
    let db = TestDb::new().await;
    // The login throttle would answer most of the storm with 429 before any
    // hash; this test is about the hashing behind it, so it is set aside.
    let unlimited = [
        ("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT", "1000000"),
        ("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_CLIENT", "1000000"),
    ];
    let (mut server, port) = serve(&db.url, &unlimited, Stdio::null()).await;
    let base = format!("http://127.0.0.1:{port}/api/v1/auth");
    let http = crate::helpers::http_client().timeout(Duration::from_secs(30)).build().expect("client");
    let credentials = |password: &str| serde_json::json!({ "email": "ann@example.com", "password": password });
    let registered = http.post(format!("{base}/register")).json(&credentials(PASSWORD)).send().await.expect("sent");
    assert_eq!(registered.status().as_u16(), 201);

    let rss_before_mb = proc_status(&server, "VmRSS:") / 1024;
    let storm = (0..300).map(|_| http.post(format!("{base}/login")).json(&credentials("wrong password")).send());
    let sampling = async {
        let mut most_threads = 0;
        for _ in 0..20 {
            most_threads = most_threads.max(proc_status(&server, "Threads:"));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        most_threads
    };
    let (answers, most_threads) = tokio::join!(futures::future::join_all(storm), sampling);

    let mut counts = std::collections::BTreeMap::new();
    for answer in answers {
        let answer = answer.expect("every request is answered");
        let status = answer.status().as_u16();
        if status == 503 {
            assert_eq!(answer.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
        }
        *counts.entry(status).or_insert(0) += 1;
    }
    let peak_rss_mb = proc_status(&server, "VmHWM:") / 1024;
    let rss_after_mb = proc_status(&server, "VmRSS:") / 1024;
    let login = http.post(format!("{base}/login")).json(&credentials(PASSWORD)).send().await.expect("sent");
    println!(
        "storm: {counts:?}; RSS {rss_before_mb} MB before, {peak_rss_mb} MB at peak, {rss_after_mb} MB after; \
         at most {most_threads} threads"
    );
    Command::new("kill").args(["-TERM", &server.id().to_string()]).status().expect("kill");
    server.wait().expect("exit");

    assert!(counts.keys().all(|status| [401, 503].contains(status)), "only 401 or 503: {counts:?}");
    assert!(counts.get(&401).is_some_and(|&n| n >= 2), "the hashes that fit were checked: {counts:?}");
    // Unbounded, 300 logins took 5.8 GB and 284 threads, and kept the memory.
    assert!(peak_rss_mb < 256, "peak RSS {peak_rss_mb} MB");
    assert!(rss_after_mb < rss_before_mb + 64, "memory came back: {rss_before_mb} MB before, {rss_after_mb} MB after");
    assert!(most_threads < 40, "{most_threads} threads");
    assert_eq!(login.status().as_u16(), 200, "the right password still logs in after the storm");
}
