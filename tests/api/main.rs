//! The one integration test binary: real PostgreSQL (see `helpers`), real HTTP.

mod helpers;
mod proxy;
mod smtp_sink;

mod abuse;
mod auth;
mod cli;
mod client;
mod connection;
mod dev_services;
mod faults;
mod files;
mod health;
mod hostile;
mod http_limits;
mod idempotency;
mod live_migration;
mod login_limits;
mod metrics;
mod migrations;
mod models;
mod outages;
mod password_races;
mod password_reset;
mod patterns;
mod query_plans;
mod replicas;
mod request_ids;
mod requests;
mod retries;
mod sessions;
mod shutdown;
mod spec;
mod tls;
mod transactions;
mod users;
