//! Request string fields whose schema is the domain rule that parses them:
//! the `pattern` and lengths come from the domain type's own constants, so a
//! rule is written once, beside its parser (poem-openapi's `validator(pattern
//! = ...)` takes only a string literal, which is why this type exists). The
//! value is checked by the body's `Validate`, which names the field in a 422;
//! this type only carries and documents it. The rule's description is the
//! field's, so a field gives no doc comment of its own.

use std::{borrow::Cow, fmt, marker::PhantomData};

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type},
};
use serde_json::Value;

use crate::domain::{ContentType, Email, Filename, limits};

/// A string grammar stated by a domain type.
pub trait TextRule: Send + Sync + 'static {
    /// ECMA-262, as JSON Schema's `pattern`.
    const PATTERN: &'static str;
    const MIN_LENGTH: Option<usize>;
    const MAX_LENGTH: usize;
    /// For readers, and for what `PATTERN` cannot state.
    const DESCRIPTION: &'static str;
}

impl TextRule for Email {
    const PATTERN: &'static str = Email::PATTERN;
    const MIN_LENGTH: Option<usize> = None;
    const MAX_LENGTH: usize = limits::EMAIL_MAX;
    const DESCRIPTION: &'static str = "An email address in ASCII, `local@domain`, whose local part (before `@`) is at \
        most 64 characters; an internationalised domain is given in its `xn--` form. Compared without regard to \
        letter case.";
}

impl TextRule for Filename {
    const PATTERN: &'static str = Filename::PATTERN;
    const MIN_LENGTH: Option<usize> = Some(1);
    const MAX_LENGTH: usize = limits::FILENAME_MAX;
    const DESCRIPTION: &'static str = "1 to 255 characters, not all white space, no control characters.";
}

impl TextRule for ContentType {
    const PATTERN: &'static str = ContentType::PATTERN;
    const MIN_LENGTH: Option<usize> = None;
    const MAX_LENGTH: usize = limits::CONTENT_TYPE_MAX;
    const DESCRIPTION: &'static str = "A media type such as `application/pdf`, at most 128 characters.";
}

/// A string documented by rule `R`.
pub struct RuleText<R>(String, PhantomData<R>);

impl<R> From<&str> for RuleText<R> {
    fn from(text: &str) -> Self {
        Self(text.to_owned(), PhantomData)
    }
}

impl<R> fmt::Debug for RuleText<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<R: TextRule> Type for RuleText<R> {
    const IS_REQUIRED: bool = true;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        "string".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            min_length: R::MIN_LENGTH,
            max_length: Some(R::MAX_LENGTH),
            pattern: Some(R::PATTERN.to_owned()),
            description: Some(R::DESCRIPTION),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl<R: TextRule> ParseFromJSON for RuleText<R> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(text)) => Ok(Self(text, PhantomData)),
            other => Err(ParseError::expected_type(other.unwrap_or_default())),
        }
    }
}

impl<R: TextRule> ToJSON for RuleText<R> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_the_rules_and_the_value_a_plain_json_string() {
        let MetaSchemaRef::Inline(schema) = RuleText::<Filename>::schema_ref() else { panic!("inline") };
        assert_eq!(
            (schema.ty, schema.min_length, schema.max_length, schema.pattern.as_deref(), schema.description),
            (
                "string",
                Some(1),
                Some(limits::FILENAME_MAX),
                Some(Filename::PATTERN),
                Some(<Filename as TextRule>::DESCRIPTION)
            )
        );
        let parsed =
            RuleText::<Email>::parse_from_json(Some(Value::String("ann@example.com".into()))).expect("a string");
        assert_eq!(parsed.to_json(), Some(Value::String("ann@example.com".into())));
        assert_eq!(parsed.raw_element_iter().collect::<Vec<_>>(), ["ann@example.com"]);
        assert!(RuleText::<Email>::parse_from_json(Some(Value::from(1))).is_err());
        assert!(RuleText::<Email>::parse_from_json(None).is_err());
    }
}
