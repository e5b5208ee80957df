//! JSON response bodies, written straight from the value by serde.
//!
//! poem-openapi's own `Json` payload first turns the value into a
//! `serde_json::Value` tree (a map per object, a `String` per key and per
//! timestamp) and then serializes the tree: under `GET /files?limit=20` that
//! was about a seventh of the server's CPU (perf, `cargo xtask bench` B3).
//! Here the schema still comes from poem-openapi's `Type`, so the spec is
//! unchanged, and the bytes come from `#[derive(Serialize)]` in one pass. The
//! two derives must agree field by field: debug builds (the whole test
//! suite) serialize every response body both ways and refuse to answer when
//! they differ.

use poem::{IntoResponse, Response, error::ResponseError};
use poem_openapi::{
    payload::Payload,
    registry::{MetaSchemaRef, Registry},
    types::{ToJSON, Type},
};
use serde::Serialize;

use super::error::ApiError;

/// A response body of type `T`, documented by `T`'s schema.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: Type> Payload for Json<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ToJSON + Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        debug_assert_eq!(serde_json::to_value(&self.0).ok(), self.0.to_json(), "serde and the schema disagree");
        match serde_json::to_vec(&self.0) {
            Ok(body) => Response::builder().content_type(Self::CONTENT_TYPE).body(body),
            // Only a map with non-string keys fails, and no body has one.
            Err(error) => {
                tracing::error!(%error, "a response body did not serialize");
                ApiError::Internal.as_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::api::{
        files::{FileBody, FilePage},
        timestamp::Timestamp,
    };

    fn file(id: i64) -> FileBody {
        let at = Timestamp(DateTime::<Utc>::from_timestamp_micros(1_795_000_000_123_456).expect("valid"));
        let filename = "r\u{e9}sum\u{e9} \"final\"\n.pdf".into();
        FileBody { id, filename, content_type: "application/pdf".into(), user_id: 7, created_at: at, updated_at: at }
    }

    #[test]
    fn a_page_is_written_as_the_schema_side_would_write_it() {
        for next_cursor in [None, Some("djE6MTox".to_owned())] {
            let page = FilePage { items: vec![file(1), file(2)], next_cursor };
            assert_eq!(serde_json::to_value(&page).ok(), page.to_json());

            let response = Json(page).into_response();
            assert_eq!(response.status(), poem::http::StatusCode::OK);
            assert_eq!(response.content_type(), Some("application/json; charset=utf-8"));
        }
    }
}
