//! Repositories: the only callers of the generated queries. Each method runs
//! on a pooled connection or inside a transaction (any [`Executor`]), takes
//! domain types and returns them, with failures typed as [`DbError`].
//! "Not found" is `None` (or `false`), not an error.
//!
//! Requests authenticate with a token that is checked without the database;
//! methods that act for a caller confirm in the same statement that the caller
//! is still an active user in a live session, and say so with [`Caller`].
//!
//! Imports `codegen`, `db`, `domain` and `config` (limits); never `poem`.
//!
//! [`Executor`]: crate::db::Executor
//! [`DbError`]: crate::db::DbError

mod files;
mod idempotency;
mod logins;
mod outbox;
mod password_resets;
mod registrations;
mod sessions;
mod users;

pub use files::FileRepository;
pub use idempotency::Once;
pub use logins::{LoginAttempt, LoginRepository};
pub use outbox::{OutboxRepository, Purged};
pub use password_resets::{PasswordResetRepository, ResetRequest};
pub use registrations::RegistrationRepository;
pub use sessions::{Refresh, Renewal, SessionRepository};
pub use users::{UserRepository, UserSeen};

/// The outcome of a statement run on behalf of a caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller<T> {
    /// The caller is not, or no longer, an active user: nothing was read or changed.
    Inactive,
    Active(T),
}
