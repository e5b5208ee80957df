//! Metadata of an uploaded document.

use chrono::{DateTime, Utc};

use super::limits::{CONTENT_TYPE_MAX, FILENAME_MAX};

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct File {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    /// The owner.
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("must not be empty")]
    EmptyFilename,
    #[error("must be at most {FILENAME_MAX} characters")]
    FilenameTooLong,
    #[error("must not contain control characters")]
    FilenameControl,
    #[error("must be at most {CONTENT_TYPE_MAX} characters")]
    ContentTypeTooLong,
    #[error("must be a media type such as application/pdf (type/subtype)")]
    ContentTypeMalformed,
}

/// A non-empty name without control characters, at most 255 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filename(String);

impl Filename {
    /// The grammar of [`Filename::parse`] as an ECMA-262 regular expression,
    /// the spec's `pattern` (with lengths 1 to [`FILENAME_MAX`]): one
    /// character that is neither control nor white space, none that is control.
    pub const PATTERN: &str = concat!(
        r"^[^\x00-\x1f\x7f-\x9f]*",
        r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
        r"[^\x00-\x1f\x7f-\x9f]*$",
    );

    pub fn parse(input: &str) -> Result<Self, FileError> {
        if input.trim().is_empty() {
            return Err(FileError::EmptyFilename);
        }
        if input.chars().count() > FILENAME_MAX {
            return Err(FileError::FilenameTooLong);
        }
        if input.chars().any(char::is_control) {
            return Err(FileError::FilenameControl);
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A media type `type/subtype` (RFC 6838 token characters, optional
/// `; parameters`), at most 128 characters. Kept as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentType(String);

impl ContentType {
    /// The grammar of [`ContentType::parse`] as an ECMA-262 regular
    /// expression, the spec's `pattern` (with `maxLength` [`CONTENT_TYPE_MAX`]).
    pub const PATTERN: &str = r"^[A-Za-z0-9!#$&^_.+-]{1,127}/[A-Za-z0-9!#$&^_.+-]{1,127}(;[\x20-\x7e]*)?$";

    pub fn parse(input: &str) -> Result<Self, FileError> {
        if input.chars().count() > CONTENT_TYPE_MAX {
            return Err(FileError::ContentTypeTooLong);
        }
        let essence = input.split(';').next().unwrap_or_default();
        let token = |part: &str| {
            !part.is_empty()
                && part.len() <= 127
                && part.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
        };
        let valid = match essence.split_once('/') {
            Some((kind, subtype)) => token(kind) && token(subtype),
            None => false,
        };
        let parameters_printable = input.chars().all(|c| c.is_ascii_graphic() || c == ' ');
        if valid && parameters_printable { Ok(Self(input.to_owned())) } else { Err(FileError::ContentTypeMalformed) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug)]
pub struct NewFile {
    pub filename: Filename,
    pub content_type: ContentType,
}

impl NewFile {
    /// What identifies this request's content for an idempotency key: equal
    /// exactly when both fields are.
    pub fn fingerprint(&self) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        for field in [self.filename.as_str(), self.content_type.as_str()] {
            hash.update((field.len() as u64).to_be_bytes());
            hash.update(field.as_bytes());
        }
        hash.finalize().to_vec()
    }
}

/// A partial update; `None` leaves the field as it is.
#[derive(Debug, Default)]
pub struct FileChanges {
    pub filename: Option<Filename>,
    pub content_type: Option<ContentType>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_must_be_non_empty_short_and_printable() {
        assert!(Filename::parse("report (final).pdf").is_ok());
        assert_eq!(Filename::parse(""), Err(FileError::EmptyFilename));
        assert_eq!(Filename::parse("   "), Err(FileError::EmptyFilename));
        assert_eq!(Filename::parse("a\u{0}b"), Err(FileError::FilenameControl));
        assert!(Filename::parse(&"é".repeat(FILENAME_MAX)).is_ok(), "characters, not bytes");
        assert_eq!(Filename::parse(&"a".repeat(FILENAME_MAX + 1)), Err(FileError::FilenameTooLong));
    }

    #[test]
    fn content_types_must_be_type_slash_subtype() {
        for good in
            ["application/pdf", "text/plain; charset=utf-8", "application/vnd.oasis.opendocument.text", "image/svg+xml"]
        {
            assert!(ContentType::parse(good).is_ok(), "{good}");
        }
        for bad in ["pdf", "application/", "/pdf", "text/plain/x", "text /plain", "", "tëxt/plain"] {
            assert_eq!(ContentType::parse(bad), Err(FileError::ContentTypeMalformed), "{bad}");
        }
        let long = format!("application/{}", "x".repeat(CONTENT_TYPE_MAX));
        assert_eq!(ContentType::parse(&long), Err(FileError::ContentTypeTooLong));
    }
}
