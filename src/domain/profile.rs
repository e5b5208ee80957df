//! The optional, self-described part of an account: name, bio, avatar and
//! the client's preferences. Each is checked here once; `None` in a change
//! leaves a field as it is, `Some(None)` clears it.

use serde_json::Value;

use super::limits::{AVATAR_URL_MAX, BIO_MAX, NAME_MAX, PREFERENCES_MAX_BYTES};

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("must not contain control characters")]
    ControlCharacter,
    #[error("must be an absolute http or https URL with a host name (no user name, password or IP address)")]
    NotAnHttpUrl,
    #[error("must be a JSON object")]
    NotAnObject,
    #[error("must be at most {PREFERENCES_MAX_BYTES} bytes as compact JSON")]
    PreferencesTooLarge,
}

/// A display name: at most 128 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name(String);

/// A short biography: at most 512 characters; line breaks and tabs allowed,
/// other control characters not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bio(String);

/// An absolute http or https URL of at most 255 characters, stored as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvatarUrl(String);

/// A JSON object of at most 16 KiB as compact JSON, stored as given. Kept
/// as the `Value` it was parsed from (always an object), so the statement
/// that stores it borrows it instead of copying the map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preferences(Value);

fn within(input: &str, max: usize) -> Result<(), ProfileError> {
    if input.chars().count() > max { Err(ProfileError::TooLong(max)) } else { Ok(()) }
}

impl Name {
    pub fn parse(input: &str) -> Result<Self, ProfileError> {
        within(input, NAME_MAX)?;
        if input.chars().any(char::is_control) {
            return Err(ProfileError::ControlCharacter);
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Bio {
    pub fn parse(input: &str) -> Result<Self, ProfileError> {
        within(input, BIO_MAX)?;
        if input.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err(ProfileError::ControlCharacter);
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AvatarUrl {
    /// A deliberately plain grammar, the one the spec's `pattern` states:
    /// `http` or `https` (any letter case), `://`, a host name of ASCII
    /// letters, digits and hyphens in dot-separated labels (the last not all
    /// digits, so never an IP address), an optional port from 1 to 65535,
    /// then optionally `/`, `?` or `#` and visible ASCII. No user name or
    /// password can fit. Hand-written rather than a URL library's parse, so
    /// the spec can say exactly what is accepted.
    pub fn parse(input: &str) -> Result<Self, ProfileError> {
        within(input, AVATAR_URL_MAX)?;
        if !is_plain_http_url(input) {
            return Err(ProfileError::NotAnHttpUrl);
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_plain_http_url(input: &str) -> bool {
    let scheme_end = match input.get(..8) {
        Some(start) if start.eq_ignore_ascii_case("https://") => 8,
        _ => match input.get(..7) {
            Some(start) if start.eq_ignore_ascii_case("http://") => 7,
            _ => return false,
        },
    };
    let rest = &input[scheme_end..];
    let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    if !tail.chars().all(|c| c.is_ascii_graphic()) {
        return false;
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let port_ok = port.is_none_or(|port| {
        port.len() <= 5
            && !port.starts_with('0')
            && port.chars().all(|c| c.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|port| (1..=65_535).contains(&port))
    });
    let labels_ok =
        host.split('.').all(|label| !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    let last_named = host.rsplit('.').next().is_some_and(|last| last.chars().any(|c| !c.is_ascii_digit()));
    port_ok && labels_ok && last_named
}

impl Preferences {
    pub fn parse(input: &Value) -> Result<Self, ProfileError> {
        let Value::Object(object) = input else {
            return Err(ProfileError::NotAnObject);
        };
        let size = serde_json::to_vec(object).map_or(usize::MAX, |bytes| bytes.len());
        if size > PREFERENCES_MAX_BYTES {
            return Err(ProfileError::PreferencesTooLarge);
        }
        // PostgreSQL's jsonb cannot hold U+0000 in a string; refuse it here
        // rather than fail the statement.
        if contains_nul(input) {
            return Err(ProfileError::ControlCharacter);
        }
        Ok(Self(input.clone()))
    }

    pub fn as_value(&self) -> &Value {
        &self.0
    }
}

fn contains_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(contains_nul),
        Value::Object(object) => object.iter().any(|(key, value)| key.contains('\0') || contains_nul(value)),
        _ => false,
    }
}

/// Changes to the profile: `None` leaves a field, `Some(None)` clears it
/// (`preferences` clears to `{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileChanges {
    pub name: Option<Option<Name>>,
    pub bio: Option<Option<Bio>>,
    pub avatar_url: Option<Option<AvatarUrl>>,
    pub preferences: Option<Option<Preferences>>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_and_bios_are_bounded_and_printable() {
        assert!(Name::parse(&"é".repeat(128)).is_ok());
        assert_eq!(Name::parse(&"é".repeat(129)), Err(ProfileError::TooLong(128)));
        assert_eq!(Name::parse("Ann\nLee"), Err(ProfileError::ControlCharacter));
        assert!(Bio::parse("Reviews contracts.\nLikes tea.\t").is_ok());
        assert_eq!(Bio::parse("nul\0"), Err(ProfileError::ControlCharacter));
        assert_eq!(Bio::parse(&"x".repeat(513)), Err(ProfileError::TooLong(512)));
    }

    #[test]
    fn avatar_urls_are_absolute_http_without_credentials() {
        for good in [
            "https://cdn.example.com/a.png",
            "http://localhost:8080",
            "HTTPS://EXAMPLE.COM/x?y=1#z",
            "https://a-b.example/%20?q=@",
            "http://x:65535",
        ] {
            assert!(AvatarUrl::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "/a.png",
            "ftp://example.com/a",
            "javascript:alert(1)",
            "https://",
            "data:image/png,x",
            " https://e.x",
            "https://e.x/a b",
            "https://ann:pw@example.com/a.png",
            "https://ann@example.com",
            "http://127.0.0.1/a.png",
            "http://x:0",
            "http://x:65536",
            "http://x:080",
            "http://a..b",
            "http://é.example",
        ] {
            assert_eq!(AvatarUrl::parse(bad), Err(ProfileError::NotAnHttpUrl), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(236));
        assert_eq!(AvatarUrl::parse(&long), Err(ProfileError::TooLong(255)));
    }

    #[test]
    fn preferences_are_objects_of_at_most_16_kib() {
        assert!(Preferences::parse(&json!({"theme": "dark", "nested": {"a": [1, 2]}})).is_ok());
        assert_eq!(Preferences::parse(&json!([1])), Err(ProfileError::NotAnObject));
        assert_eq!(Preferences::parse(&json!("x")), Err(ProfileError::NotAnObject));
        // {"k":"…"} is 8 bytes around the value.
        assert!(Preferences::parse(&json!({"k": "x".repeat(PREFERENCES_MAX_BYTES - 8)})).is_ok());
        let over = json!({"k": "x".repeat(PREFERENCES_MAX_BYTES - 7)});
        assert_eq!(Preferences::parse(&over), Err(ProfileError::PreferencesTooLarge));
        assert_eq!(Preferences::parse(&json!({"k": ["a\u{0}"]})), Err(ProfileError::ControlCharacter));
    }
}
