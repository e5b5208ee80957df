//! Every request gets an id: the caller's `X-Request-Id` when it is sane,
//! otherwise a new one. It is echoed in the response header, carried by every
//! log line of the request (a `tracing` span), and put in the problem+json
//! body of a 5xx, so a user can quote it when reporting the failure.

use std::{
    sync::{
        LazyLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Instant,
};

use poem::{Endpoint, IntoResponse, Request, Response, Result, http::HeaderValue};
use tracing::Instrument;

pub const HEADER: &str = "X-Request-Id";
/// The longest id accepted from a caller.
const MAX_LENGTH: usize = 64;

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being handled, if any.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// 1 to 64 characters of `A-Z a-z 0-9 . _ : -`: enough for UUIDs, ULIDs and
/// trace ids, and nothing that could forge a log line or a header.
fn is_sane(id: &str) -> bool {
    (1..=MAX_LENGTH).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// A process-random prefix and a counter: unique across instances without a
/// random draw per request.
fn generate() -> String {
    static PREFIX: LazyLock<String> = LazyLock::new(|| {
        let mut bytes = [0u8; 6];
        getrandom::fill(&mut bytes).expect("the OS provides randomness");
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    });
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("{}-{:x}", *PREFIX, NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Assigns the id, runs the request inside its span, and echoes the id.
pub async fn assign<E: Endpoint>(endpoint: std::sync::Arc<E>, request: Request) -> Result<Response> {
    let id = request.header(HEADER).filter(|id| is_sane(id)).map_or_else(generate, str::to_owned);
    let span =
        tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path());
    let started = Instant::now();
    let mut response = CURRENT
        .scope(id.clone(), endpoint.call(request).instrument(span.clone()))
        .await
        .map(IntoResponse::into_response)
        .unwrap_or_else(|error| error.into_response());
    span.in_scope(|| {
        let status = response.status().as_u16();
        tracing::debug!(status, elapsed_ms = started.elapsed().as_secs_f64() * 1e3, "answered");
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_taken_from_the_caller() {
        assert!(is_sane("3f2c9a4e-1b7d-4c55-9a0e-6f1d2b3c4d5e"));
        assert!(is_sane("01HZX3J8Q2:trace.span_1"));
        for bad in ["", "a b", "a\nb", "ä", &"a".repeat(MAX_LENGTH + 1), "<script>"] {
            assert!(!is_sane(bad), "{bad:?}");
        }
    }

    #[test]
    fn generated_ids_are_sane_and_distinct() {
        let (a, b) = (generate(), generate());
        assert!(is_sane(&a) && is_sane(&b));
        assert_ne!(a, b);
    }
}
