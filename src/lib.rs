//! ReViewPoint's backend core, in dependency order:
//!
//! - [`config`]: every `REVIEWPOINT_*` variable, typed.
//! - [`telemetry`]: structured logs.
//! - [`db`]: the pool, transactions, `DbError`, health probe.
//! - [`domain`]: plain validated types (Email, User, File, Cursor).
//! - [`repo`]: repositories over the generated queries.
//! - [`mail`]: the outbox sender, delivering mail over SMTP (lettre).
//! - [`storage`]: file content in an object store, a local directory or S3 (object_store).
//! - [`migrate`]: the reversible migration runner behind `reviewpoint migrate`.
//! - [`auth`]: password hashing and bearer tokens.
//! - [`state`]: what every handler can reach (pools, token keys, limits).
//! - [`api`]: the poem-openapi handlers, problem+json errors, the spec and `/docs`.
//! - `dev_services` (feature `dev-services`): in dev, a PostgreSQL container when no database answers.
//! - [`startup`]: wires the above into a server.
//!
//! All SQL lives in `queries/` (compiled by cornucopia into `reviewpoint_codegen`)
//! and `migrations/`.

pub mod api;
pub mod auth;
pub mod config;
pub mod db;
#[cfg(feature = "dev-services")]
pub mod dev_services;
pub mod domain;
pub mod mail;
pub mod migrate;
pub mod repo;
pub mod startup;
pub mod state;
pub mod storage;
pub mod telemetry;
