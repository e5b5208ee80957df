//! How often one email or one client address may do something: the
//! windows the login, reset and registration throttles count in.

use std::time::Duration;

/// How many attempts one email (account) and one client address may make
/// within a fixed window; beyond them, 429 until the window ends. Failed
/// logins and password reset requests are each counted this way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    pub per_account: u32,
    pub per_client: u32,
    pub window: Duration,
}

impl RateLimits {
    /// Failed logins: never in a person's way (ten mistyped passwords in
    /// fifteen minutes), and never in a test suite's from one address.
    pub const LOGIN: Self = Self { per_account: 10, per_client: 100, window: Duration::from_secs(900) };
    /// Reset requests: three mails an hour reach anyone who lost a mail;
    /// thirty requests an hour from one address leave room for a shared
    /// office address.
    pub const PASSWORD_RESET: Self = Self { per_account: 3, per_client: 30, window: Duration::from_secs(3600) };
}

/// How many requests one client address may make within a fixed window;
/// beyond that, 429 until the window ends. Registrations are counted so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientLimit {
    pub per_client: u32,
    pub window: Duration,
}

impl ClientLimit {
    /// Registrations: a hundred an hour from one address leave room for a
    /// classroom behind one NAT, and bound the hashing one address can ask for.
    pub const REGISTRATION: Self = Self { per_client: 100, window: Duration::from_secs(3600) };
}
