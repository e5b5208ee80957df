//! Password reset through HTTP and real SMTP (../shared/API.md, v1.1): the
//! request answers the same whether or not the account exists, its mail
//! leaves through the transactional outbox, and the mailed token sets a new
//! password once and ends every session.

use std::time::{Duration, Instant};

use reqwest::Method;
use reviewpoint::{
    config::{Config, Environment, PasswordResetSettings, RateLimits},
    db::{self, DbError, in_transaction},
    domain::{ClientKey, Email, NewMail, SecretToken},
    mail::{Deliveries, Lease, OutboxSender, OutboxSignal, RetryPolicy, Transport},
    repo::{OutboxRepository, PasswordResetRepository, Purged, ResetRequest},
    state::AppState,
};
use serde_json::{Value, json};

use crate::{
    helpers::{PASSWORD, Reply, TestApp, TestDb, until_waiting_on_locks},
    smtp_sink::{SinkMail, SmtpSink},
};

const NEW_PASSWORD: &str = "a brand new passphrase";
/// Long enough for any mail in these tests to arrive; none waits this long.
const MAIL_TIMEOUT: Duration = Duration::from_secs(30);

/// A sender delivering the outbox of `db` to `sink`, woken by the requests
/// of an app serving `state`; on a pool of its own, as `serve` gives it.
fn sender_for(db: &TestDb, state: &AppState, sink: &SmtpSink) -> OutboxSender {
    sender_on(db.pool(), state.outbox.clone(), sink)
}

/// A sender for the database `app` serves, as another instance runs one.
fn another_sender(app: &TestApp, sink: &SmtpSink) -> OutboxSender {
    let pool = db::build_pool(&app.db_url(), Environment::Test.pool());
    sender_on(pool, OutboxSignal::default(), sink)
}

fn sender_on(pool: db::Pool, signal: OutboxSignal, sink: &SmtpSink) -> OutboxSender {
    let url = sink.url();
    let config = Config::from_lookup(|name| (name == "REVIEWPOINT_SMTP_URL").then(|| url.clone())).expect("config");
    let transport = Transport::new(&config.mail).expect("an SMTP transport");
    OutboxSender::new(pool, transport, config.mail.from, signal)
}

/// An app in the default state, an SMTP sink, and a sender from the app's
/// outbox to the sink (not running: call it, or spawn its `run`).
pub async fn mailed_app() -> (TestApp, SmtpSink, OutboxSender) {
    let db = TestDb::new().await;
    let state = TestApp::default_state(&db);
    let sink = SmtpSink::start().await;
    let sender = sender_for(&db, &state, &sink);
    (TestApp::serve_state(db, state).await, sink, sender)
}

async fn request_reset(app: &TestApp, email: &str) -> Reply {
    app.call(Method::POST, "/api/v1/auth/password-reset", None, Some(json!({ "email": email }))).await
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> Reply {
    let body = json!({ "token": token, "password": password });
    app.call(Method::POST, "/api/v1/auth/password-reset/confirm", None, Some(body)).await
}

async fn me(app: &TestApp, token: &str) -> u16 {
    app.call(Method::GET, "/api/v1/auth/me", Some(token), None).await.status.as_u16()
}

fn invalid_fields(problem: &Value) -> Vec<&str> {
    problem["errors"].as_array().expect("errors").iter().map(|error| error["field"].as_str().expect("field")).collect()
}

/// The outbox row of `recipient`'s mail: attempts, sent, body. FOR UPDATE
/// waits for a sender still holding it: the sink has the mail before the
/// sender commits that it was sent.
async fn outbox_row(app: &TestApp, recipient: &str) -> (i32, bool, String) {
    let client = db::connect_once(&app.db_url()).await.expect("connect");
    let statement = "SELECT attempts, sent_at IS NOT NULL, body FROM outbox WHERE recipient = $1 FOR UPDATE";
    let row = client.query_one(statement, &[&recipient]).await.expect("one outbox row");
    (row.get(0), row.get(1), row.get(2))
}

#[tokio::test]
async fn a_mailed_link_sets_a_new_password_once_and_ends_every_session() {
    let (app, sink, sender) = mailed_app().await;
    tokio::spawn(sender.run());
    let ann = app.user("ann@example.com").await;
    let second = app.login("ann@example.com", PASSWORD).await.expect(200);

    let accepted = request_reset(&app, "ANN@example.com").await.expect(202);
    let mail = sink.wait_for(1, MAIL_TIMEOUT).await.remove(0);
    let token = mail.reset_token();
    let confirmed = confirm(&app, &token, NEW_PASSWORD).await;

    assert_eq!(accepted.as_object().map(|body| body.len()), Some(1), "only detail: {accepted}");
    assert!(accepted["detail"].as_str().is_some_and(|detail| detail.contains("60 minutes")), "{accepted}");
    assert_eq!(mail.to, ["ann@example.com"], "sent to the address the account has");
    assert_eq!(mail.from, "no-reply@localhost");
    assert_eq!(mail.header("Subject"), Some("Reset your ReViewPoint password"));
    assert!(mail.header("Message-ID").is_some_and(|id| id.starts_with("<outbox-")), "{:?}", mail.header("Message-ID"));
    assert!(mail.text().contains("http://localhost:5173/reset-password?token="), "{}", mail.text());
    assert_eq!(confirmed.status, 204, "{}", confirmed.text);
    assert!(confirmed.text.is_empty());
    for token in [ann.token.as_str(), second["access_token"].as_str().expect("token")] {
        assert_eq!(me(&app, token).await, 401, "every session ended");
    }
    let refresh = json!({ "refresh_token": ann.refresh_token });
    app.call(Method::POST, "/api/v1/auth/refresh", None, Some(refresh)).await.expect(401);
    app.login("ann@example.com", PASSWORD).await.expect(401);
    app.login("ann@example.com", NEW_PASSWORD).await.expect(200);
    let again = confirm(&app, &token, "yet another passphrase").await.expect(422);
    assert_eq!(invalid_fields(&again), ["token"], "a spent token: {again}");
    let (attempts, sent, body) = outbox_row(&app, "ann@example.com").await;
    assert_eq!((attempts, sent), (1, true));
    assert!(body.is_empty(), "a sent mail's body, which held the token, is gone");
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(metrics.contains("mail_delivery_attempts_total{outcome=\"sent\"} "), "{metrics}");
}

#[tokio::test]
async fn the_answer_is_the_same_whether_or_not_an_active_account_has_the_email() {
    let (app, sink, sender) = mailed_app().await;
    app.user("ann@example.com").await;
    let bob = app.user("bob@example.com").await;
    let patch = json!({ "is_active": false });
    app.call(Method::PATCH, &format!("/api/v1/users/{}", bob.id), Some(&bob.token), Some(patch)).await.expect(200);

    let known = request_reset(&app, "ann@example.com").await;
    let unknown = request_reset(&app, "nobody@example.com").await;
    let inactive = request_reset(&app, "bob@example.com").await;
    let delivered = sender.deliver_due().await.expect("outbox readable");

    for reply in [&known, &unknown, &inactive] {
        assert_eq!(reply.status, 202);
        assert!(reply.header("content-type").is_some_and(|kind| kind.starts_with("application/json")));
        assert_eq!(reply.text, known.text, "one body for all three");
    }
    assert_eq!(delivered, Deliveries { sent: 1, postponed: 0, failed: 0 });
    let mails = sink.mails();
    assert_eq!(mails.iter().map(|mail| mail.to.clone()).collect::<Vec<_>>(), [["ann@example.com"]]);
}

#[tokio::test]
async fn unknown_expired_and_spent_tokens_and_bad_passwords_are_422s_naming_the_field() {
    let (app, sink, sender) = mailed_app().await;
    let ann = app.user("ann@example.com").await;
    request_reset(&app, "ann@example.com").await.expect(202);
    request_reset(&app, "ann@example.com").await.expect(202);
    assert_eq!(sender.deliver_due().await.expect("sent").sent, 2);
    let tokens: Vec<String> = sink.mails().iter().map(SinkMail::reset_token).collect();

    let unknown = confirm(&app, SecretToken::generate().expose(), NEW_PASSWORD).await.expect(422);
    let short = confirm(&app, &tokens[0], "short").await.expect(422);
    let both = confirm(&app, &"x".repeat(129), "").await.expect(422);
    let not_an_email = request_reset(&app, "not an email").await.expect(422);
    assert_eq!(me(&app, &ann.token).await, 200, "nothing was reset so far");
    let client = db::connect_once(&app.db_url()).await.expect("connect");
    client
        .execute(
            "UPDATE password_reset_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1",
            &[&ann.id],
        )
        .await
        .expect("expire the tokens");
    let expired = confirm(&app, &tokens[1], NEW_PASSWORD).await.expect(422);

    assert_eq!(invalid_fields(&unknown), ["token"]);
    assert!(unknown["errors"][0]["message"].as_str().is_some_and(|m| m.contains("expired")), "{unknown}");
    assert_eq!(invalid_fields(&short), ["password"]);
    assert_eq!(invalid_fields(&both), ["token", "password"]);
    assert_eq!(invalid_fields(&not_an_email), ["email"]);
    assert_eq!(invalid_fields(&expired), ["token"]);
    app.login("ann@example.com", PASSWORD).await.expect(200);
}

#[tokio::test]
async fn one_reset_spends_every_other_link_of_the_account() {
    let (app, sink, sender) = mailed_app().await;
    app.user("ann@example.com").await;
    request_reset(&app, "ann@example.com").await.expect(202);
    request_reset(&app, "ann@example.com").await.expect(202);
    sender.deliver_due().await.expect("sent");
    let tokens: Vec<String> = sink.mails().iter().map(SinkMail::reset_token).collect();

    confirm(&app, &tokens[1], NEW_PASSWORD).await.expect(204);
    let older = confirm(&app, &tokens[0], "an attacker's passphrase").await.expect(422);

    assert_eq!(invalid_fields(&older), ["token"]);
    app.login("ann@example.com", NEW_PASSWORD).await.expect(200);
}

#[tokio::test]
async fn requests_are_limited_per_email_and_per_client_on_every_instance() {
    let db = TestDb::new().await;
    let limits = RateLimits { per_account: 2, per_client: 5, window: Duration::from_secs(3600) };
    let with_limits = |state: AppState| {
        let password_reset = PasswordResetSettings { limits, ..state.password_reset.clone() };
        AppState { password_reset, ..state }
    };
    let (one, two) = (with_limits(TestApp::default_state(&db)), with_limits(TestApp::default_state(&db)));
    let other = TestApp::serve_until(two, std::future::pending()).await;
    let app = TestApp::serve_state(db, one).await;

    let mut statuses = Vec::new();
    for (instance, email) in [(&app, "ann@example.com"), (&other, "Ann@Example.com")] {
        statuses.push(request_reset(instance, email).await.status.as_u16());
    }
    let third = request_reset(&app, "ann@example.com").await;
    for (instance, email) in [(&other, "bob@example.com"), (&app, "bob@example.com")] {
        statuses.push(request_reset(instance, email).await.status.as_u16());
    }
    let sixth = request_reset(&other, "carol@example.com").await;

    assert_eq!(statuses, [202, 202, 202, 202], "within both limits, on either instance");
    let problem = third.expect(429);
    assert!(problem["detail"].as_str().is_some_and(|detail| detail.contains("reset")), "{problem}");
    let retry_after: u64 = third.header("retry-after").and_then(|s| s.parse().ok()).expect("Retry-After");
    assert!((3590..=3600).contains(&retry_after), "until the window ends: {retry_after}");
    sixth.expect(429);
    assert!(sixth.header("retry-after").is_some(), "the client's sixth request in the window");
}

#[tokio::test]
async fn nothing_is_sent_for_a_rolled_back_transaction() {
    let (app, sink, sender) = mailed_app().await;
    let settings = PasswordResetSettings::default();
    app.user("ann@example.com").await;
    let (email, token) = (Email::parse("ann@example.com").expect("email"), SecretToken::generate());
    let client = ClientKey::new("127.0.0.1".parse().expect("address"));
    let mail = NewMail::password_reset(&settings.link, &token, settings.ttl);

    let mut connection = app.pool.get().await.expect("connection");
    let rolled_back: Result<(), DbError> = in_transaction(&mut connection, async |tx| {
        let hash = token.hash();
        let stored = PasswordResetRepository::request(tx, &email, &client, &hash, &mail, &settings).await?;
        assert_eq!(stored, ResetRequest::Accepted, "stored inside the transaction");
        Err(DbError::Unreadable("a failure after the mail was written"))
    })
    .await;
    let delivered = sender.deliver_due().await.expect("outbox readable");

    assert!(rolled_back.is_err());
    assert_eq!(delivered, Deliveries::default(), "no mail to send");
    assert!(sink.mails().is_empty());
    assert!(!PasswordResetRepository::is_usable(&connection, &token.hash()).await.expect("read"), "no token either");
    drop(connection);
    confirm(&app, token.expose(), NEW_PASSWORD).await.expect(422);
}

#[tokio::test]
async fn mail_written_during_an_smtp_outage_is_delivered_once_when_the_server_is_back() {
    let (app, mut sink, sender) = mailed_app().await;
    app.user("ann@example.com").await;
    sink.stop().await;
    // The default policy: 1 s, 2 s, 4 s ... between attempts.
    tokio::spawn(sender.with_retry(RetryPolicy::default()).run());

    let requested = Instant::now();
    request_reset(&app, "ann@example.com").await.expect(202);
    // Between the second attempt (after 1 s) and the third (after 3 s).
    let outage = Duration::from_millis(2500);
    tokio::time::sleep(outage).await;
    let (failed_attempts, sent, _) = outbox_row(&app, "ann@example.com").await;
    let back = Instant::now();
    sink.restart().await;
    let mails = sink.wait_for(1, MAIL_TIMEOUT).await;
    let (after_restart, after_request) = (back.elapsed(), requested.elapsed());
    let (attempts, sent_after, _) = outbox_row(&app, "ann@example.com").await;

    println!(
        "smtp outage: {outage:?} down, {failed_attempts} failed attempt(s) meanwhile; delivered {after_restart:.1?} \
         after the server came back ({after_request:.1?} after the request), {} cop(ies), {attempts} attempts in all",
        mails.len()
    );
    assert!(failed_attempts >= 2 && !sent, "retried during the outage: {failed_attempts} attempts");
    assert!(sent_after && attempts > failed_attempts, "sent once the server was back: {attempts} attempts");
    assert_eq!(mails.len(), 1, "delivered exactly once");
    confirm(&app, &mails[0].reset_token(), NEW_PASSWORD).await.expect(204);
}

#[tokio::test]
async fn a_mail_refused_for_good_is_not_retried() {
    let (app, sink, sender) = mailed_app().await;
    app.user("ann@example.com").await;
    sink.refuse_everything(true);

    request_reset(&app, "ann@example.com").await.expect(202);
    let refused = sender.deliver_due().await.expect("outbox readable");
    sink.refuse_everything(false);
    let later = sender.deliver_due().await.expect("outbox readable");

    assert_eq!(refused, Deliveries { sent: 0, postponed: 0, failed: 1 });
    assert_eq!(later, Deliveries::default(), "not tried again");
    assert!(sink.mails().is_empty());
    // A process-wide counter that other tests add to: present, not exact.
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(metrics.contains("mail_delivery_attempts_total{outcome=\"failed\"} "), "{metrics}");
}

#[tokio::test]
async fn two_senders_deliver_every_mail_exactly_once() {
    const USERS: usize = 24;
    let db = TestDb::new().await;
    let mut state = TestApp::default_state(&db);
    state.password_reset.limits.per_client = 1000;
    let sink = SmtpSink::start().await;
    let (one, two) = (sender_for(&db, &state, &sink), sender_for(&db, &TestApp::default_state(&db), &sink));
    let app = TestApp::serve_state(db, state).await;
    for n in 0..USERS {
        let email = format!("user{n}@example.com");
        app.register(&email).await.expect(201);
        request_reset(&app, &email).await.expect(202);
    }

    let (first, second) = tokio::join!(one.deliver_due(), two.deliver_due());
    let (first, second) = (first.expect("sender one"), second.expect("sender two"));

    println!("two senders: {} and {} of {USERS} mails", first.sent, second.sent);
    assert_eq!(first.sent + second.sent, USERS as u32, "every mail sent once");
    let mails = sink.mails();
    let mut ids: Vec<&str> = mails.iter().filter_map(|mail| mail.header("Message-ID")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((mails.len(), ids.len()), (USERS, USERS), "no mail twice");
}

#[tokio::test]
async fn the_purge_removes_settled_mail_and_spent_tokens_and_keeps_pending_ones() {
    let (app, mut sink, sender) = mailed_app().await;
    app.user("ann@example.com").await;
    app.user("bob@example.com").await;
    request_reset(&app, "ann@example.com").await.expect(202);
    sender.deliver_due().await.expect("sent");
    confirm(&app, &sink.mails()[0].reset_token(), NEW_PASSWORD).await.expect(204);
    sink.stop().await;
    request_reset(&app, "bob@example.com").await.expect(202);
    assert_eq!(sender.deliver_due().await.expect("tried").postponed, 1);

    let connection = app.pool.get().await.expect("connection");
    let purged = OutboxRepository::purge(&connection, 1000).await.expect("purge");
    let tokens = PasswordResetRepository::purge(&connection, 1000).await.expect("purge");
    let again = OutboxRepository::purge(&connection, 1000).await.expect("purge");

    assert_eq!(purged, Purged { settled: 1, undelivered: 0 }, "ann's sent mail; bob's is still due");
    assert_eq!(tokens, 1, "ann's spent token; bob's is still usable");
    assert_eq!(again, Purged::default());
    assert!(OutboxRepository::next_pending_at(&connection).await.expect("read").is_some(), "bob's mail waits");
}

/// The longest any transaction of this app's database has been open, other
/// than the asking one's, sampled until `until`: (longest, samples).
async fn longest_transaction_until(app: &TestApp, until: Instant) -> (Duration, u32) {
    let client = db::connect_once(&app.db_url()).await.expect("connect");
    let statement = "SELECT coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)), 0)::float8 \
                     FROM pg_stat_activity \
                     WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL";
    let (mut longest, mut samples) = (Duration::ZERO, 0);
    while Instant::now() < until {
        let seconds: f64 = client.query_one(statement, &[]).await.expect("pg_stat_activity").get(0);
        longest = longest.max(Duration::from_secs_f64(seconds));
        samples += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (longest, samples)
}

#[tokio::test]
async fn a_mail_server_that_never_speaks_holds_no_transaction_open_and_the_mail_is_retried() {
    let (app, sink, sender) = mailed_app().await;
    app.user("ann@example.com").await;
    sink.go_silent(true);
    let lease = Lease { deadline: Duration::from_secs(1), length: Duration::from_secs(2) };
    let retry = RetryPolicy { first: Duration::from_millis(200), max: Duration::from_millis(200) };
    tokio::spawn(sender.with_lease(lease).with_retry(retry).run());

    request_reset(&app, "ann@example.com").await.expect(202);
    let (longest, samples) = longest_transaction_until(&app, Instant::now() + Duration::from_millis(2500)).await;
    let (attempts, sent, _) = outbox_row(&app, "ann@example.com").await;
    let client = db::connect_once(&app.db_url()).await.expect("connect");
    let error: String = client
        .query_one("SELECT last_error FROM outbox WHERE recipient = $1", &[&"ann@example.com"])
        .await
        .expect("the mail")
        .get(0);
    sink.go_silent(false);
    let mails = sink.wait_for(1, MAIL_TIMEOUT).await;

    println!(
        "silent mail server for 2.5 s: longest open transaction {longest:.1?} ({samples} samples), \
         {attempts} attempt(s) cut at the 1 s deadline, {} connection(s)",
        sink.connections()
    );
    assert!(longest < Duration::from_millis(500), "a transaction stayed open {longest:?}");
    assert!(attempts >= 2 && !sent, "each attempt ends at its deadline and is retried: {attempts}");
    assert!(error.contains("did not finish within"), "{error}");
    assert_eq!(mails.len(), 1, "delivered once the server speaks again");
}

#[tokio::test]
async fn a_mail_whose_sender_died_mid_send_goes_out_through_another_once_its_lease_ends() {
    let (app, sink, first) = mailed_app().await;
    app.user("ann@example.com").await;
    sink.go_silent(true);
    request_reset(&app, "ann@example.com").await.expect(202);
    let lease = Lease { deadline: Duration::from_secs(1), length: Duration::from_millis(1500) };
    let dying = tokio::spawn(first.with_lease(lease).run());
    let started = Instant::now();
    while sink.connections() == 0 {
        assert!(started.elapsed() < MAIL_TIMEOUT, "the first sender never reached the mail server");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    dying.abort();
    let died = Instant::now();
    sink.go_silent(false);
    let second = another_sender(&app, &sink);

    let during_lease = second.deliver_due().await.expect("outbox readable");
    tokio::spawn(second.run());
    let mails = sink.wait_for(1, MAIL_TIMEOUT).await;
    let taken_over = died.elapsed();

    println!("a sender died mid-send: another delivered the mail {taken_over:.1?} later (lease 1.5 s)");
    assert_eq!(during_lease, Deliveries::default(), "leased to the dead sender: not taken");
    assert_eq!(mails.len(), 1);
    confirm(&app, &mails[0].reset_token(), NEW_PASSWORD).await.expect(204);
}

#[tokio::test]
async fn a_sender_does_not_spin_on_due_mail_it_cannot_take() {
    let (app, _sink, sender) = mailed_app().await;
    app.user("ann@example.com").await;
    request_reset(&app, "ann@example.com").await.expect(202);
    let holder = db::connect_once(&app.db_url()).await.expect("connect");
    holder.batch_execute("BEGIN; SELECT 1 FROM outbox FOR UPDATE").await.expect("the mail held");

    let wait = sender.pass().await;

    assert!(wait >= Duration::from_millis(100), "due mail held elsewhere: the next pass comes {wait:?} later");
    holder.batch_execute("ROLLBACK").await.expect("released");
    assert_eq!(sender.deliver_due().await.expect("outbox readable").sent, 1);
}

#[tokio::test]
async fn a_reset_asked_for_while_the_account_is_being_deleted_is_the_same_202_and_stores_nothing() {
    let (app, _sink, _sender) = mailed_app().await;
    let ann = app.user("ann@example.com").await;
    // A deletion of the account, held open: the request finds the account,
    // then its token waits on the account's row.
    let holder = db::connect_once(&app.db_url()).await.expect("connect");
    holder.batch_execute("BEGIN").await.expect("begin");
    holder.execute("DELETE FROM users WHERE id = $1", &[&ann.id]).await.expect("deleted, not yet committed");
    let observer = db::connect_once(&app.db_url()).await.expect("connect");

    let (answer, ()) = tokio::join!(request_reset(&app, "ann@example.com"), async {
        until_waiting_on_locks(&observer, 1).await;
        holder.batch_execute("COMMIT").await.expect("commit");
    });

    answer.expect(202);
    let stored: i64 = observer.query_one("SELECT count(*) FROM outbox", &[]).await.expect("count").get(0);
    assert_eq!(stored, 0, "no mail for an account that is gone");
}
