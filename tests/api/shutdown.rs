//! SIGTERM under load, on the real binary: requests already in flight are
//! answered, then the process exits 0 and accepts nothing more.

use std::{process::Stdio, time::Duration};

use futures::StreamExt;

use crate::{
    cli::serve,
    helpers::{PASSWORD, TestDb},
};

#[tokio::test]
async fn sigterm_finishes_the_requests_in_flight_then_exits_0() {
    let db = TestDb::new().await;
    // Logins are counted before their password is checked: twenty at once
    // for one account need a limit above ten, right password or not.
    let limits = [("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT", "100")];
    let (mut server, port) = serve(&db.url, &limits, Stdio::null()).await;
    let base = format!("http://127.0.0.1:{port}/api/v1/auth");
    // A connection per request, so none is an idle keep-alive the shutdown may close.
    let http = crate::helpers::http_client().pool_max_idle_per_host(0).build().expect("client");
    let body = serde_json::json!({ "email": "ann@example.com", "password": PASSWORD });
    assert_eq!(http.post(format!("{base}/register")).json(&body).send().await.expect("sent").status(), 201);

    // Logins take tens of milliseconds each on the hashing threads: twenty of
    // them keep the server busy for a while after the first is answered.
    let mut in_flight: futures::stream::FuturesUnordered<_> =
        (0..20).map(|_| http.post(format!("{base}/login")).json(&body).send()).collect();
    let first = in_flight.next().await.expect("twenty were sent").expect("answered");
    let terminated = std::process::Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    let rest: Vec<_> = in_flight.collect().await;
    let exit = tokio::task::spawn_blocking(move || server.wait()).await.expect("joined").expect("exit");
    let after = http.get(format!("http://127.0.0.1:{port}/api/v1/health")).timeout(Duration::from_secs(2)).send().await;

    assert!(terminated.is_ok_and(|status| status.success()));
    assert_eq!(first.status().as_u16(), 200);
    for answer in rest {
        let answer = answer.expect("an accepted request is answered, never reset");
        assert_eq!(answer.status().as_u16(), 200, "in-flight logins complete");
    }
    assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");
    assert!(after.is_err_and(|error| error.is_connect()), "nothing is accepted after the shutdown");
}
