//! The spec's `pattern`s state exactly what the server's parsers accept, so a
//! generated client that validates before sending is neither stricter nor
//! looser than the server. Checked here over hand-picked edge cases and
//! thousands of strings drawn from an alphabet of awkward characters.

use reviewpoint::domain::{ContentType, Email, Filename};
use serde_json::Value;

/// A string field of a request body schema, as the spec describes it.
struct Described {
    /// ECMA-262, compiled by the engine the generated Rust client (typify)
    /// checks patterns with.
    pattern: regress::Regex,
    min: usize,
    max: usize,
}

impl Described {
    fn of(spec: &Value, schema: &str, field: &str) -> Self {
        let property = &spec["components"]["schemas"][schema]["properties"][field];
        let pattern = property["pattern"].as_str().unwrap_or_else(|| panic!("{schema}.{field} has a pattern"));
        let bound = |key: &str| property[key].as_u64().map(|n| n as usize);
        Self {
            pattern: regress::Regex::new(pattern).expect("the spec's pattern compiles"),
            min: bound("minLength").unwrap_or(0),
            max: bound("maxLength").expect("every string has a maximum length"),
        }
    }

    fn accepts(&self, text: &str) -> bool {
        (self.min..=self.max).contains(&text.chars().count()) && self.pattern.find(text).is_some()
    }
}

/// Deterministic strings of awkward characters: separators, every kind of
/// whitespace and control, zero-width and right-to-left marks, emoji.
fn awkward_strings() -> impl Iterator<Item = String> {
    let alphabet: Vec<char> = "aZ09.@/;+-_ !#$&^=*?`{|}~<>()[],:\"'\\%\t\n\r\u{0}\u{1f}\u{7f}\u{85}\u{a0}\u{1680}\u{2000}\u{200b}\u{200e}\u{202e}\u{2028}\u{3000}\u{feff}é😀".chars().collect();
    let mut seed: u64 = 0x5eed;
    (0..20_000).map(move |_| {
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        let length = next() % 12;
        (0..length).map(|_| alphabet[next() % alphabet.len()]).collect()
    })
}

fn assert_agree(described: &Described, parses: impl Fn(&str) -> bool, cases: &[String]) {
    for text in cases.iter().cloned().chain(awkward_strings()) {
        assert_eq!(described.accepts(&text), parses(&text), "spec and server disagree on {text:?}");
    }
}

fn spec() -> Value {
    serde_json::from_str(&reviewpoint::api::spec()).expect("the spec is JSON")
}

/// Edge cases of the email grammar, and awkward strings in the local part
/// and in a domain label, where the random ones alone would seldom reach.
fn email_cases() -> Vec<String> {
    let fixed = [
        "ann@example.com",
        "Ann.Lee+rv@Example.COM",
        "a@b.c",
        "o'brien!#$%&*/=?^_`{|}~-@xn--bcher-kva.example",
        " ann@example.com",
        "ann@example.com\n",
        "ann@example..com",
        "ann@.example.com",
        "ann@example.com.",
        "ann@example",
        "ann@@example.com",
        "@example.com",
        "<victim@example.com>",
        "Ann <victim@example.com>",
        "\"ann lee\"@example.com",
        "ann@[127.0.0.1]",
        "ann@-x.com",
        "ann@x-.com",
        ".ann@example.com",
        "a..b@example.com",
        "a\u{a0}b@example.com",
        "a\u{200b}b@example.com",
        "a\u{feff}b@example.com",
        "😀@example.com",
        "anné@example.com",
        "ann@bücher.de",
    ];
    let label = |length: usize| "b".repeat(length);
    fixed
        .into_iter()
        .map(String::from)
        .chain([
            format!("{}@example.com", "a".repeat(64)),
            format!("{}@example.com", "a".repeat(65)),
            format!("{}@example.com", "é".repeat(64)),
            format!("a@{}.com", label(63)),
            format!("a@{}.com", label(64)),
            format!("a@{}", [63, 63, 63, 61].map(label).join(".")),
            format!("aa@{}", [63, 63, 63, 61].map(label).join(".")),
        ])
        .chain(awkward_strings().take(2_000).map(|local| format!("{local}@example.com")))
        .chain(awkward_strings().take(2_000).map(|label| format!("ann@{label}.example")))
        .collect()
}

#[test]
fn the_email_pattern_accepts_exactly_what_the_server_accepts() {
    let spec = spec();
    let cases = email_cases();
    for schema in ["Registration", "UserPatch", "PasswordResetRequest"] {
        assert_agree(&Described::of(&spec, schema, "email"), |text| Email::parse(text).is_ok(), &cases);
    }
}

/// Every address the server accepts is one the mailer can send to as it
/// is: lettre parses it as a bare address (no display name, no `<...>`)
/// and writes it back unchanged, and it is ASCII, so no SMTPUTF8 is needed.
#[test]
fn every_accepted_email_is_mailed_unchanged() {
    let accepted: Vec<String> = email_cases()
        .into_iter()
        .chain(awkward_strings().map(|text| format!("{text}@{text}.com")))
        .filter(|text| Email::parse(text).is_ok())
        .collect();
    assert!(accepted.len() > 100, "the cases reach the accepted side: {}", accepted.len());
    for text in accepted {
        let address: lettre::Address = text.parse().unwrap_or_else(|error| panic!("{text:?}: {error}"));
        assert_eq!(address.to_string(), text);
        assert!(text.is_ascii(), "{text:?}");
    }
}

#[test]
fn the_filename_pattern_accepts_exactly_what_the_server_accepts() {
    let spec = spec();
    let cases: Vec<String> = ["report.pdf", " ", "\u{3000}", " a ", "a\u{0}b", "a\nb", "\u{202e}fdp.exe", "😀"]
        .into_iter()
        .map(String::from)
        .chain([
            "😀".repeat(255),
            "😀".repeat(256),
            "x".repeat(255),
            "x".repeat(256),
            "'; DROP TABLE files; --".to_owned(),
        ])
        .collect();

    for schema in ["NewFile", "FilePatch"] {
        assert_agree(&Described::of(&spec, schema, "filename"), |text| Filename::parse(text).is_ok(), &cases);
    }
}

#[test]
fn the_content_type_pattern_accepts_exactly_what_the_server_accepts() {
    let spec = spec();
    let cases: Vec<String> = [
        "application/pdf",
        "text/plain; charset=utf-8",
        "text/plain;",
        "image/svg+xml",
        "text /plain",
        "text/plain ;x",
        "text/plain/x",
        "pdf",
        "/pdf",
        "application/",
        "tëxt/plain",
        "text/plain; charset=\u{7f}",
    ]
    .into_iter()
    .map(String::from)
    .chain([format!("a/{}", "b".repeat(126)), format!("a/{}", "b".repeat(127)), format!("{}/b", "a".repeat(127))])
    .collect();

    for schema in ["NewFile", "FilePatch"] {
        assert_agree(&Described::of(&spec, schema, "content_type"), |text| ContentType::parse(text).is_ok(), &cases);
    }
}

#[test]
fn the_profile_patterns_accept_exactly_what_the_server_accepts() {
    use reviewpoint::domain::{AvatarUrl, Bio, Name};

    let spec = spec();
    let names: Vec<String> = ["Ann Lee", "", "\u{202e}Ann", "Ann\tLee", "Ann\u{85}", "😀"]
        .into_iter()
        .map(String::from)
        .chain(["é".repeat(128), "é".repeat(129)])
        .collect();
    assert_agree(&Described::of(&spec, "UserPatch", "name"), |text| Name::parse(text).is_ok(), &names);
    let bios: Vec<String> = ["Reviews contracts.\r\nLikes tea.\t", "a\u{0}b", "a\u{b}b", "\u{7f}"]
        .into_iter()
        .map(String::from)
        .chain(["x".repeat(512), "x".repeat(513)])
        .collect();
    assert_agree(&Described::of(&spec, "UserPatch", "bio"), |text| Bio::parse(text).is_ok(), &bios);
    let urls: Vec<String> = [
        "https://cdn.example.com/a.png",
        "HTTP://X",
        "http://localhost:8080/a?b=c#d",
        "http://x:65535",
        "http://x:65536",
        "http://x:0",
        "http://x:099",
        "http://x:",
        "http://1.2.3.4",
        "http://1.2.3.4a",
        "http://a..b",
        "http://.a",
        "http://a.",
        "https://ann:pw@example.com",
        "https://@example.com",
        "https://example.com/a b",
        "https://example.com/é",
        "ftp://example.com",
        "https:/example.com",
        "//example.com",
        "https://exa_mple.com",
    ]
    .into_iter()
    .map(String::from)
    .chain([format!("https://example.com/{}", "a".repeat(235)), format!("https://example.com/{}", "a".repeat(236))])
    .chain(awkward_strings().map(|tail| format!("https://example.com{tail}")))
    .chain(awkward_strings().map(|host| format!("http://{host}")))
    .collect();
    assert_agree(&Described::of(&spec, "UserPatch", "avatar_url"), |text| AvatarUrl::parse(text).is_ok(), &urls);
}
