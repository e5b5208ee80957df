//! The one integration test binary: real PostgreSQL (see `helpers`), real HTTP.

mod helpers;
mod proxy;

mod connection;
mod health;
mod migrations;
mod models;
mod spec;
mod transactions;
