//! The opaque position in "a user's files, newest first": the (created_at, id)
//! of the last file on the previous page. Clients must not parse it; it is
//! versioned so its format can change without breaking saved cursors silently.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Datelike, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: DateTime<Utc>,
    pub id: i64,
}

/// One page of a keyset-paginated list; `next` is where the following page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("is not a cursor returned by this API")]
pub struct CursorError;

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("v1:{}:{}", self.created_at.timestamp_micros(), self.id))
    }

    pub fn decode(token: &str) -> Result<Self, CursorError> {
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| CursorError)?;
        let text = String::from_utf8(bytes).map_err(|_| CursorError)?;
        let mut parts = text.split(':');
        let (Some("v1"), Some(micros), Some(id), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(CursorError);
        };
        let micros: i64 = micros.parse().map_err(|_| CursorError)?;
        let id: i64 = id.parse().map_err(|_| CursorError)?;
        let created_at = DateTime::from_timestamp_micros(micros).ok_or(CursorError)?;
        // Every file's `created_at` is an RFC 3339 timestamp (years 0001 to
        // 9999); anything else did not come from us, and years outside
        // PostgreSQL's range would fail in the database rather than here.
        if !(1..=9999).contains(&created_at.year()) || id <= 0 {
            return Err(CursorError);
        }
        Ok(Self { created_at, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_its_round_trip() {
        let cursor =
            Cursor { created_at: DateTime::from_timestamp_micros(1_790_000_000_123_456).expect("valid"), id: 42 };
        assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
    }

    #[test]
    fn anything_else_is_rejected() {
        for bad in [
            "",
            "!!",
            &URL_SAFE_NO_PAD.encode("v1:1"),
            &URL_SAFE_NO_PAD.encode("v2:1:1"),
            &URL_SAFE_NO_PAD.encode("v1:x:1"),
            &URL_SAFE_NO_PAD.encode("v1:1:0"),
            &URL_SAFE_NO_PAD.encode("v1:1:1:1"),
            // Before PostgreSQL's range (4713 BC) and after RFC 3339's (9999).
            &URL_SAFE_NO_PAD.encode("v1:-300000000000000000:1"),
            &URL_SAFE_NO_PAD.encode("v1:-62135596800000001:1"),
            &URL_SAFE_NO_PAD.encode("v1:253402300800000000:1"),
        ] {
            assert_eq!(Cursor::decode(bad), Err(CursorError), "{bad}");
        }
    }
}
