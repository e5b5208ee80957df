//! The ReViewPoint API client that progenitor generates from `openapi.json`.
//! Test-only: `tests/api/client.rs` drives the main flows through it.

#![allow(clippy::all, unused)]

include!(concat!(env!("OUT_DIR"), "/client.rs"));
