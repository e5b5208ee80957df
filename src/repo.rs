//! Repositories: the only callers of the generated queries. Each method runs
//! on a pooled connection or inside a transaction (any [`Executor`]), takes
//! domain types and returns them, with failures typed as [`DbError`].
//! "Not found" is `None` (or `false`), not an error.
//!
//! Imports `codegen`, `db` and `domain`; never `poem`.
//!
//! [`Executor`]: crate::db::Executor
//! [`DbError`]: crate::db::DbError

mod files;
mod users;

pub use files::FileRepository;
pub use users::UserRepository;
