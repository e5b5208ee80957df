//! Sessions: who a request acts for, and what the owner sees of each. The
//! secret that renews one is a [`RefreshToken`](super::RefreshToken).

use chrono::{DateTime, Utc};

/// The caller a valid access token names: a user, in one of their sessions.
/// The token is checked without the database; whether the user is active
/// and the session live is checked by the statement each operation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub session_id: i64,
}

/// A live session as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionSummary {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    /// The last refresh, or the login.
    pub last_used_at: DateTime<Utc>,
    pub user_agent: Option<String>,
}
