//! Timestamps on the wire: RFC 3339 in UTC with a `Z` and microseconds
//! (`2026-11-26T12:00:00.123456Z`). poem-openapi's own `DateTime<Utc>` writes
//! `+00:00`, which the contract does not use.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type},
};
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamp(pub DateTime<Utc>);

impl Type for Timestamp {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_date-time".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "date-time")))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ToJSON for Timestamp {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.wire()))
    }
}

impl Timestamp {
    /// The wire form, for both the schema side (`ToJSON`) and serde.
    fn wire(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.wire())
    }
}

impl ParseFromJSON for Timestamp {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(text) => Ok(Self(DateTime::parse_from_rfc3339(&text)?.with_timezone(&Utc))),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_with_z_and_microseconds() {
        let at = DateTime::from_timestamp_micros(1_795_000_000_123_456).expect("valid");
        assert_eq!(Timestamp(at).to_json(), Some(Value::String("2026-11-18T11:06:40.123456Z".into())));
    }

    #[test]
    fn serde_writes_what_the_schema_side_writes() {
        let instants = [
            "0001-01-01T00:00:00Z",
            "1970-01-01T00:00:00.000001Z",
            "2026-11-18T11:06:40.123456Z",
            "2026-12-31T23:59:59.999999Z",
            "9999-12-31T23:59:59.999999Z",
            "2016-12-31T23:59:60.5Z",
        ];
        for text in instants {
            let at = Timestamp(DateTime::parse_from_rfc3339(text).expect("RFC 3339").with_timezone(&Utc));
            assert_eq!(serde_json::to_value(at).ok(), at.to_json(), "{text}");
        }
        let late = Timestamp(DateTime::from_timestamp(300_000_000_000, 0).expect("valid"));
        assert_eq!(serde_json::to_value(late).ok(), late.to_json(), "past year 9999");
    }
}
