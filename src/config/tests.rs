use super::*;

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_lookup(|name| vars.iter().find(|(key, _)| *key == name).map(|(_, value)| value.to_string()))
}

#[test]
fn defaults_match_the_seed() {
    let config = config(&[]).expect("defaults are valid");
    assert_eq!(config.database.redacted(), "postgresql://postgres:***@localhost:5432/reviewpoint");
    assert_eq!(config.environment, Environment::Dev);
    assert!(!config.debug);
    assert_eq!(config.bind.to_string(), DEFAULT_BIND);
    assert_eq!(config.pool().max_size(), 15);
    assert!(config.database_is_default);
    assert_eq!(config.dev_services, DevServices { enabled: true, probe: None, container: None });
    assert!(config.replicas.is_empty(), "no replica unless configured");
    assert_eq!(config.replica_pool().max_size(), config.pool().max_size());
    assert_eq!(config.replica_max_lag, Duration::from_millis(200));
    assert_eq!((config.token_ttl, config.refresh_ttl), (Duration::from_secs(900), Duration::from_secs(2_592_000)));
}

#[test]
fn every_variable_is_read() {
    let config = config(&[
        ("REVIEWPOINT_DB_URL", "postgres://app:s3cret@db.internal:6543/rv"),
        ("REVIEWPOINT_ENVIRONMENT", "prod"),
        ("REVIEWPOINT_DEBUG", "TRUE"),
        ("REVIEWPOINT_BIND", "0.0.0.0:9000"),
        ("REVIEWPOINT_METRICS_BIND", "127.0.0.1:9100"),
        ("REVIEWPOINT_LOG", "reviewpoint=trace"),
        ("REVIEWPOINT_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ("REVIEWPOINT_SMTP_URL", "smtp://mail.internal:2525?tls=required"),
        ("REVIEWPOINT_MAIL_FROM", "Reviews <reviews@example.com>"),
        ("REVIEWPOINT_RESET_URL", "https://app.example.com/account/reset?lang=en"),
        ("REVIEWPOINT_RESET_TTL_SECONDS", "900"),
        ("REVIEWPOINT_RESET_MAX_PER_EMAIL", "2"),
        ("REVIEWPOINT_RESET_MAX_PER_CLIENT", "20"),
        ("REVIEWPOINT_RESET_WINDOW_SECONDS", "600"),
        ("REVIEWPOINT_TOKEN_TTL_SECONDS", "600"),
        ("REVIEWPOINT_REFRESH_TTL_SECONDS", "86400"),
        ("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT", "5"),
        ("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_CLIENT", "50"),
        ("REVIEWPOINT_LOGIN_WINDOW_SECONDS", "60"),
        ("REVIEWPOINT_REGISTER_MAX_PER_CLIENT", "7"),
        ("REVIEWPOINT_REGISTER_WINDOW_SECONDS", "120"),
        ("REVIEWPOINT_TRUSTED_PROXIES", "10.0.0.0/8, ::1"),
        ("REVIEWPOINT_HEAD_TIMEOUT_SECONDS", "4"),
        ("REVIEWPOINT_BODY_TIMEOUT_SECONDS", "3"),
        ("REVIEWPOINT_IDLE_TIMEOUT_SECONDS", "30"),
        ("REVIEWPOINT_MAX_CONNECTIONS", "64"),
        ("REVIEWPOINT_DB_STATEMENT_TIMEOUT_SECONDS", "5"),
        ("REVIEWPOINT_IDEMPOTENCY_TTL_SECONDS", "600"),
        ("REVIEWPOINT_DB_REPLICA_URLS", "postgresql://r1:5432/rv, postgres://u:p@r2:5433/rv?target_session_attrs=any"),
        ("REVIEWPOINT_DB_REPLICA_POOL_SIZE", "3"),
        ("REVIEWPOINT_DB_REPLICA_POOL_MAX_OVERFLOW", "2"),
        ("REVIEWPOINT_REPLICA_MAX_LAG_MS", "750"),
        ("REVIEWPOINT_DEV_SERVICES", "off"),
        ("REVIEWPOINT_DEV_PROBE_ADDRESS", "127.0.0.1:6543"),
        ("REVIEWPOINT_DEV_DB_CONTAINER", "my-dev.db_1"),
    ])
    .expect("valid");
    assert_eq!(config.database.redacted(), "postgresql://app:***@db.internal:6543/rv");
    assert!(!config.database_is_default);
    let replicas: Vec<String> = config.replicas.iter().map(DatabaseUrl::redacted).collect();
    assert_eq!(replicas, ["postgresql://postgres@r1:5432/rv", "postgresql://u:***@r2:5433/rv"]);
    assert_eq!((config.replica_pool().size, config.replica_pool().max_size()), (3, 5));
    assert_eq!(config.replica_max_lag, Duration::from_millis(750));
    assert_eq!(
        config.dev_services,
        DevServices { enabled: false, probe: Some(("127.0.0.1".into(), 6543)), container: Some("my-dev.db_1".into()) }
    );
    assert_eq!(config.environment, Environment::Prod);
    assert!(config.debug);
    assert_eq!(config.bind.to_string(), "0.0.0.0:9000");
    assert_eq!(config.metrics_bind.map(|bind| bind.to_string()).as_deref(), Some("127.0.0.1:9100"));
    assert_eq!(config.log_filter.as_deref(), Some("reviewpoint=trace"));
    assert_eq!(config.jwt_secret.as_ref().map(|s| s.expose().len()), Some(32));
    assert_eq!(config.token_ttl, Duration::from_secs(600));
    assert_eq!(config.refresh_ttl, Duration::from_secs(86_400));
    assert_eq!(config.login_limits, RateLimits { per_account: 5, per_client: 50, window: Duration::from_secs(60) });
    assert_eq!(config.registration_limit, ClientLimit { per_client: 7, window: Duration::from_secs(120) });
    assert_eq!(config.trusted_proxies, ["10.0.0.0/8".parse().expect("net"), "::1/128".parse().expect("net")]);
    assert_eq!((config.body_timeout, config.idle_timeout), (Duration::from_secs(3), Duration::from_secs(30)));
    assert_eq!((config.head_timeout, config.max_connections), (Duration::from_secs(4), 64));
    assert_eq!(config.pool().statement_timeout, Duration::from_secs(5));
    assert_eq!(config.idempotency_ttl, Duration::from_secs(600));
    assert_eq!(
        config.mail.smtp.as_ref().map(SmtpUrl::redacted).as_deref(),
        Some("smtp://mail.internal:2525?tls=required")
    );
    assert_eq!(config.mail.from.to_string(), "Reviews <reviews@example.com>");
    assert_eq!(config.password_reset.link.as_str(), "https://app.example.com/account/reset?lang=en");
    assert_eq!(config.password_reset.ttl, Duration::from_secs(900));
    assert_eq!(
        config.password_reset.limits,
        RateLimits { per_account: 2, per_client: 20, window: Duration::from_secs(600) }
    );
}

#[test]
fn mail_is_logged_in_dev_and_required_in_prod() {
    let dev = config(&[]).expect("valid");
    assert!(dev.mail.smtp.is_none(), "dev logs its mail unless told where to send it");
    assert_eq!(dev.password_reset, PasswordResetSettings::default());
    let prod = [("REVIEWPOINT_ENVIRONMENT", "prod"), ("REVIEWPOINT_JWT_SECRET", "0123456789abcdef0123456789abcdef")];
    let error = config(&prod).expect_err("prod without SMTP");
    assert_eq!(error.variable, "REVIEWPOINT_SMTP_URL");
    assert!(error.reason.contains("required in prod"), "{}", error.reason);
    let error = config(&[("REVIEWPOINT_SMTP_URL", "http://mail")]).expect_err("not SMTP");
    assert_eq!(error.variable, "REVIEWPOINT_SMTP_URL");
    assert_eq!(
        config(&[("REVIEWPOINT_MAIL_FROM", "not an address")]).expect_err("bad").variable,
        "REVIEWPOINT_MAIL_FROM"
    );
    assert_eq!(config(&[("REVIEWPOINT_RESET_URL", "/reset")]).expect_err("relative").variable, "REVIEWPOINT_RESET_URL");
}

#[test]
fn a_production_build_runs_as_prod_unless_told_otherwise() {
    assert_eq!(default_environment(false).parse::<Environment>(), Ok(Environment::Prod));
    assert_eq!(default_environment(true).parse::<Environment>(), Ok(Environment::Dev));
    assert_eq!(config(&[]).expect("valid").environment, Environment::Dev, "this build has dev services");
}

#[test]
fn prod_mails_over_tls_or_over_plain_text_only_when_told_so() {
    let prod = |smtp: &str| {
        config(&[
            ("REVIEWPOINT_ENVIRONMENT", "prod"),
            ("REVIEWPOINT_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("REVIEWPOINT_SMTP_URL", smtp),
        ])
    };
    for refused in ["smtp://u:secret@mail.example.com", "smtp://mail.example.com?tls=opportunistic"] {
        let error = prod(refused).expect_err(refused);
        assert_eq!(error.variable, "REVIEWPOINT_SMTP_URL");
        assert!(error.reason.contains("must use TLS in prod") && !error.reason.contains("secret"), "{error}");
    }
    for accepted in ["smtps://mail.example.com", "smtp://mail.example.com?tls=required", "smtp://relay:25?tls=none"] {
        assert!(prod(accepted).is_ok(), "{accepted}");
    }
    let dev = config(&[("REVIEWPOINT_SMTP_URL", "smtp://127.0.0.1:2525")]).expect("dev takes plain SMTP");
    let smtp = dev.mail.smtp.expect("set");
    assert_eq!(smtp.security(), SmtpSecurity::Plain);
    let on_purpose = SmtpUrl::parse("smtp://relay:25/hello.example?tls=none").expect("valid");
    assert_eq!(on_purpose.expose(), "smtp://relay:25/hello.example", "lettre never sees tls=none");
}

#[test]
fn login_limits_default_to_ten_per_account_and_a_hundred_per_client_in_fifteen_minutes() {
    let defaults = config(&[]).expect("valid");
    assert_eq!(defaults.login_limits, RateLimits::LOGIN);
    assert_eq!(defaults.login_limits.window, Duration::from_secs(900));
    assert!(defaults.trusted_proxies.is_empty(), "no X-Forwarded-For is believed by default");
    let error = config(&[("REVIEWPOINT_TRUSTED_PROXIES", "10.0.0.0/33")]).expect_err("not a range");
    assert_eq!(error.variable, "REVIEWPOINT_TRUSTED_PROXIES");
    assert!(config(&[("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT", "0")]).is_err());
}

#[test]
fn prod_requires_a_long_jwt_secret_and_dev_may_omit_it() {
    let error = config(&[("REVIEWPOINT_ENVIRONMENT", "prod")]).expect_err("required");
    assert_eq!(error.variable, "REVIEWPOINT_JWT_SECRET");
    let error = config(&[("REVIEWPOINT_JWT_SECRET", "short")]).expect_err("too short");
    assert_eq!(error.to_string(), "REVIEWPOINT_JWT_SECRET: must be at least 32 bytes, got 5");
    assert!(config(&[]).expect("dev").jwt_secret.is_none());
}

#[test]
fn a_database_name_postgresql_cannot_have_is_refused_at_configuration() {
    let long = format!("postgresql://u@h/{}", "a".repeat(64));
    let error = config(&[("REVIEWPOINT_DB_URL", &long)]).expect_err("too long");
    assert_eq!(error.variable, "REVIEWPOINT_DB_URL");
    assert!(error.reason.contains("63"), "{error}");
    assert!(config(&[("REVIEWPOINT_DB_URL", "postgresql://u@h/Review-Point")]).is_ok(), "capitals and dashes");
}

#[test]
fn a_replica_url_that_reaches_several_servers_is_refused() {
    let several = "postgresql://r1:5432/rv,postgresql://u@r2a,r2b:5433/rv";
    let error = config(&[("REVIEWPOINT_DB_REPLICA_URLS", several)]).expect_err("two hosts in one replica");
    assert_eq!(error.variable, "REVIEWPOINT_DB_REPLICA_URLS");
    assert!(error.reason.starts_with("replica 2: names several hosts"), "{error}");
}

#[test]
fn sqlalchemy_asyncpg_urls_are_accepted() {
    let config = config(&[("REVIEWPOINT_DB_URL", "postgresql+asyncpg://u:p@h:5432/d")]).expect("valid");
    assert_eq!(config.database.redacted(), "postgresql://u:***@h:5432/d");
}

#[test]
fn pool_sizes_follow_the_environment() {
    let secret = ("REVIEWPOINT_JWT_SECRET", "0123456789abcdef0123456789abcdef");
    let smtp = ("REVIEWPOINT_SMTP_URL", "smtp://127.0.0.1:2525?tls=none");
    let sizes = |env| config(&[("REVIEWPOINT_ENVIRONMENT", env), secret, smtp]).expect("valid").pool();
    assert_eq!((sizes("prod").size, sizes("prod").max_size()), (10, 30));
    assert_eq!((sizes("dev").size, sizes("dev").max_size()), (5, 15));
    assert_eq!((sizes("test").size, sizes("test").max_size()), (1, 1));
    let configured = config(&[
        ("REVIEWPOINT_ENVIRONMENT", "prod"),
        secret,
        smtp,
        ("REVIEWPOINT_DB_POOL_SIZE", "4"),
        ("REVIEWPOINT_DB_POOL_MAX_OVERFLOW", "0"),
    ])
    .expect("valid")
    .pool();
    assert_eq!((configured.size, configured.max_size()), (4, 4));
    let error = config(&[("REVIEWPOINT_DB_POOL_SIZE", "0")]).expect_err("a pool needs a connection");
    assert_eq!(error.variable, "REVIEWPOINT_DB_POOL_SIZE");
}

#[test]
fn bad_values_name_their_variable() {
    for (variable, value) in [
        ("REVIEWPOINT_ENVIRONMENT", "staging"),
        ("REVIEWPOINT_DEBUG", "maybe"),
        ("REVIEWPOINT_DB_URL", "mysql://u:p@h/d"),
        ("REVIEWPOINT_DB_URL", "not a url"),
        ("REVIEWPOINT_BIND", "localhost"),
        ("REVIEWPOINT_TOKEN_TTL_SECONDS", "10"),
        ("REVIEWPOINT_TOKEN_TTL_SECONDS", "soon"),
        ("REVIEWPOINT_REFRESH_TTL_SECONDS", "59"),
        ("REVIEWPOINT_DEV_SERVICES", "sometimes"),
        ("REVIEWPOINT_DB_REPLICA_URLS", "postgresql://r1/rv,mysql://r2/rv"),
        ("REVIEWPOINT_REPLICA_MAX_LAG_MS", "0"),
        ("REVIEWPOINT_DEV_PROBE_ADDRESS", "localhost"),
        ("REVIEWPOINT_DEV_PROBE_ADDRESS", ":5432"),
        ("REVIEWPOINT_DEV_DB_CONTAINER", "-starts-with-a-dash"),
        ("REVIEWPOINT_DEV_DB_CONTAINER", "has space"),
    ] {
        let error = config(&[(variable, value)]).expect_err(value);
        assert_eq!(error.variable, variable);
        assert!(error.to_string().starts_with(variable), "{error}");
    }
}

#[test]
fn the_password_never_prints() {
    let config = config(&[
        ("REVIEWPOINT_DB_URL", "postgresql://u:hunter22@h/d"),
        ("REVIEWPOINT_JWT_SECRET", "hunter22hunter22hunter22hunter22"),
    ])
    .expect("valid");
    let printed = format!("{config:?} {}", config.database.redacted());
    assert!(!printed.contains("hunter22"), "{printed}");
    let error = config_error_for("postgresql://u:hunter22@h:notaport/d");
    assert!(!error.contains("hunter22"), "{error}");
}

fn config_error_for(url: &str) -> String {
    config(&[("REVIEWPOINT_DB_URL", url)]).expect_err("invalid").to_string()
}
