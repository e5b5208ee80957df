//! What every handler can reach: the pools, the token keys and the limits
//! configured at startup. Its own module so that the API and startup both
//! depend on it and not on each other (`.ci/run` checks the direction).

use std::{sync::Arc, time::Duration};

use ipnet::IpNet;

use crate::{
    auth::TokenKeys,
    config::{ClientLimit, PasswordResetSettings, RateLimits},
    db::Cluster,
    mail::OutboxSignal,
};

/// How long `/health` waits for the database before answering 503.
pub const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The primary for writes, replicas (if any) for reads.
    pub db: Cluster,
    pub tokens: TokenKeys,
    pub health_timeout: Duration,
    pub login_limits: RateLimits,
    pub registration_limit: ClientLimit,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<[IpNet]>,
    pub http_limits: HttpLimits,
    /// How long an `Idempotency-Key` is remembered.
    pub idempotency_ttl: Duration,
    /// How long a refresh token lives, and so a session nobody refreshes.
    pub refresh_ttl: Duration,
    /// The reset link, its lifetime and the limits on asking for one.
    pub password_reset: PasswordResetSettings,
    /// Wakes this instance's outbox sender when a request wrote mail.
    pub outbox: OutboxSignal,
}

/// What a client may take: time to send a request head and a request body,
/// time between any two packets of a connection, and connections at once.
#[derive(Clone, Copy, Debug)]
pub struct HttpLimits {
    pub head_timeout: Duration,
    pub body_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            head_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(75),
            max_connections: 1024,
        }
    }
}

impl AppState {
    /// The defaults over `db`: health timeout, login and reset limits, no
    /// trusted proxy, and an outbox signal no sender listens to yet.
    pub fn new(db: Cluster, tokens: TokenKeys) -> Self {
        Self {
            db,
            tokens,
            health_timeout: HEALTH_TIMEOUT,
            login_limits: RateLimits::LOGIN,
            registration_limit: ClientLimit::REGISTRATION,
            trusted_proxies: Arc::new([]),
            http_limits: HttpLimits::default(),
            idempotency_ttl: Duration::from_secs(86_400),
            refresh_ttl: Duration::from_secs(30 * 86_400),
            password_reset: PasswordResetSettings::default(),
            outbox: OutboxSignal::default(),
        }
    }
}
