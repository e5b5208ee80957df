//! Structured logs through `tracing`: human-readable in dev and test, one JSON
//! object per line in prod. `REVIEWPOINT_DEBUG` raises our own verbosity to
//! debug; `REVIEWPOINT_LOG` replaces the whole filter.

use tracing_subscriber::EnvFilter;

use crate::config::{Config, Environment};

/// Installs the global subscriber; later calls (tests) are no-ops.
pub fn init(config: &Config) {
    let filter = match &config.log_filter {
        Some(filter) => EnvFilter::new(filter),
        None if config.debug => EnvFilter::new("info,reviewpoint=debug,poem=debug"),
        None => EnvFilter::new("info"),
    };
    // stderr, so stdout carries only command output (`migrate status`, `openapi`).
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _already_set = match config.environment {
        Environment::Prod => builder.json().flatten_event(true).try_init(),
        Environment::Dev | Environment::Test => builder.try_init(),
    };
}
