//! The connection layer: the pool, the primary and its replicas (`Cluster`:
//! handlers ask for a writer or a reader), transactions, typed database errors, the
//! health probe and the few administrative statements that cannot live in
//! `queries/` (creating and dropping databases).
//!
//! Imports `config` only; everything above talks to PostgreSQL through here
//! and through the generated `reviewpoint_codegen` queries.

pub mod admin;
mod cluster;
mod connection;
mod error;
mod executor;
mod health;
pub mod metrics;
mod pool;
mod retry;
mod tls;
mod transaction;

pub use cluster::{Cluster, Reader, ReplicaReport, ReplicaStatus};
pub use connection::{Bounds, Connection, Transaction};
pub use error::{Access, ConflictKind, DbError, Retry};
pub(crate) use executor::run;
pub use executor::{Executor, retry_after};
pub use health::{DatabaseHealth, PoolStats, check as check_health};
pub use pool::{Pool, build_pool, connect_once};
pub use retry::retry;
pub use retry::{ATTEMPTS, REQUEST_BUDGET, back_off, transient};
pub use transaction::in_transaction;
