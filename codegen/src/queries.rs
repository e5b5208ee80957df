// This file was generated with `cornucopia`. Do not modify.

pub mod catalog;
pub mod files;
pub mod health;
pub mod idempotency;
pub mod logins;
pub mod outbox;
pub mod password_reset;
pub mod registrations;
pub mod replication;
pub mod sessions;
pub mod users;
