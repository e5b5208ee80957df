//! JSON request bodies, read and validated here rather than by poem-openapi's
//! `Json<T>`: it answers every failure with a plain-text 400, while the
//! contract wants 400 for broken JSON syntax, 413 for oversized bodies, and
//! 422 naming *every* invalid field. The spec still shows `T`'s schema.

use std::marker::PhantomData;

use poem::{Request, RequestBody};
use poem_openapi::{
    payload::{ParsePayload, Payload},
    registry::{MetaSchemaRef, Registry},
    types::Type,
};
use serde_json::{Map, Value};

use super::error::{ApiError, FieldError, MAX_BODY_BYTES};
use crate::state::{AppState, HttpLimits};

/// A request body type: `Self` documents the schema, `validate` turns the
/// parsed JSON into the checked value handlers receive.
pub trait Validate: Type {
    type Valid: Send;

    /// Reads every field through `fields`, which collects the problems;
    /// returns `None` when any field was invalid.
    fn validate(fields: &mut Fields<'_>) -> Option<Self::Valid>;
}

/// A validated JSON body of schema `T`.
pub struct JsonBody<T: Validate>(pub T::Valid, PhantomData<T>);

impl<T: Validate> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        matches!(content_type.parse::<mime::Mime>(), Ok(mime) if mime.type_() == "application"
            && (mime.subtype() == "json" || mime.suffix().is_some_and(|suffix| suffix == "json")))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Validate> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let declared = request.header("content-length").and_then(|length| length.parse::<usize>().ok());
        if declared.is_some_and(|length| length > MAX_BODY_BYTES) {
            return Err(ApiError::PayloadTooLarge.into());
        }
        let timeout = request
            .data::<AppState>()
            .map_or_else(|| HttpLimits::default().body_timeout, |state| state.http_limits.body_timeout);
        let reading = body.take()?.into_bytes_limit(MAX_BODY_BYTES);
        let bytes = tokio::time::timeout(timeout, reading)
            .await
            .map_err(|_| ApiError::BodyTimeout(timeout.as_secs()))?
            .map_err(|error| match error {
                poem::error::ReadBodyError::PayloadTooLarge => ApiError::PayloadTooLarge,
                other => ApiError::MalformedJson(other.to_string()),
            })?;
        if bytes.is_empty() {
            return Err(ApiError::MalformedJson("the body is empty".into()).into());
        }
        let value: Value =
            serde_json::from_slice(&bytes).map_err(|error| ApiError::MalformedJson(error.to_string()))?;
        let Value::Object(object) = value else {
            return Err(ApiError::invalid("body", "must be a JSON object").into());
        };
        let mut fields = Fields { object: &object, errors: Vec::new(), known: Vec::new() };
        let valid = T::validate(&mut fields);
        fields.reject_unknown();
        match valid {
            Some(valid) if fields.errors.is_empty() => Ok(Self(valid, PhantomData)),
            _ => Err(ApiError::Invalid(fields.errors).into()),
        }
    }
}

/// The fields of a JSON object body, read one by one; every problem is kept.
pub struct Fields<'a> {
    object: &'a Map<String, Value>,
    errors: Vec<FieldError>,
    known: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    fn get(&mut self, name: &'static str) -> Option<&'a Value> {
        self.known.push(name);
        let object: &'a Map<String, Value> = self.object;
        object.get(name).filter(|value| !value.is_null())
    }

    fn fail<T>(&mut self, name: &str, message: impl ToString) -> Option<T> {
        self.errors.push(FieldError::new(name, message));
        None
    }

    /// A required string, checked by `parse`.
    pub fn required<T, E: ToString>(&mut self, name: &'static str, parse: impl Fn(&str) -> Result<T, E>) -> Option<T> {
        match self.get(name) {
            None => self.fail(name, "is required"),
            Some(Value::String(text)) => match parse(text) {
                Ok(value) => Some(value),
                Err(error) => self.fail(name, error),
            },
            Some(_) => self.fail(name, "must be a string"),
        }
    }

    /// An optional string (absent or null means "leave as is"), checked by
    /// `parse`: `Some(None)` when absent, `None` when invalid.
    pub fn optional<T, E: ToString>(
        &mut self,
        name: &'static str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        match self.get(name) {
            None => Some(None),
            Some(Value::String(text)) => match parse(text) {
                Ok(value) => Some(Some(value)),
                Err(error) => self.fail(name, error),
            },
            Some(_) => self.fail(name, "must be a string"),
        }
    }

    /// A field that null clears: `Some(None)` when absent (leave as is),
    /// `Some(Some(None))` when null (clear), `Some(Some(Some(value)))` when
    /// `parse` accepts the value, and `None` when it does not.
    pub fn clearable<T, E: ToString>(
        &mut self,
        name: &'static str,
        parse: impl Fn(&Value) -> Result<T, E>,
    ) -> Option<Option<Option<T>>> {
        self.known.push(name);
        match self.object.get(name) {
            None => Some(None),
            Some(Value::Null) => Some(Some(None)),
            Some(value) => match parse(value) {
                Ok(value) => Some(Some(Some(value))),
                Err(error) => self.fail(name, error),
            },
        }
    }

    /// An optional boolean; `Some(None)` when absent.
    pub fn optional_bool(&mut self, name: &'static str) -> Option<Option<bool>> {
        match self.get(name) {
            None => Some(None),
            Some(Value::Bool(value)) => Some(Some(*value)),
            Some(_) => self.fail(name, "must be true or false"),
        }
    }

    /// A misspelt field would otherwise be ignored silently.
    fn reject_unknown(&mut self) {
        let unknown: Vec<String> =
            self.object.keys().filter(|key| !self.known.contains(&key.as_str())).cloned().collect();
        for key in unknown {
            self.errors.push(FieldError::new(key, "is not a field of this request"));
        }
    }
}

poem_openapi::impl_apirequest_for_payload!(JsonBody<T>, T: Validate);
