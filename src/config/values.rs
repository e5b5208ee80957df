//! How one variable's text becomes a value: the parsers `Config::from_lookup`
//! applies, each with the range it accepts and a message saying it.

use std::{net::SocketAddr, time::Duration};

use super::ConfigError;

/// A variable with a default: the default when unset.
pub(super) fn with_default<T>(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<T, ConfigError> {
    let value = lookup(variable).unwrap_or_else(|| default.to_owned());
    parse(value.trim()).map_err(|reason| ConfigError { variable, reason })
}

/// Whole seconds from 1 to `max`.
pub(super) fn seconds(value: &str, max: u64) -> Result<Duration, String> {
    seconds_between(value, 1, max)
}

/// Whole seconds from `min` to `max`.
pub(super) fn seconds_between(value: &str, min: u64, max: u64) -> Result<Duration, String> {
    match value.parse() {
        Ok(seconds) if (min..=max).contains(&seconds) => Ok(Duration::from_secs(seconds)),
        _ => Err(format!("expected whole seconds from {min} to {max}, got {value:?}")),
    }
}

/// Whole milliseconds from `min` to `max`.
pub(super) fn millis_between(value: &str, min: u64, max: u64) -> Result<Duration, String> {
    match value.parse() {
        Ok(millis) if (min..=max).contains(&millis) => Ok(Duration::from_millis(millis)),
        _ => Err(format!("expected whole milliseconds from {min} to {max}, got {value:?}")),
    }
}

pub(super) fn address(value: &str) -> Result<SocketAddr, String> {
    value.parse().map_err(|_| format!("expected host:port, got {value:?}"))
}

/// A variable with no default: `None` when unset or empty.
pub(super) fn optional<T>(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>, ConfigError> {
    match lookup(variable).filter(|value| !value.trim().is_empty()) {
        Some(value) => parse(value.trim()).map(Some).map_err(|reason| ConfigError { variable, reason }),
        None => Ok(None),
    }
}

/// A whole number from `min` to `max`.
pub(super) fn whole_number<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
    value: &str,
    min: T,
    max: T,
) -> Result<T, String> {
    match value.parse::<T>() {
        Ok(n) if min <= n && n <= max => Ok(n),
        _ => Err(format!("expected a whole number from {min} to {max}, got {value:?}")),
    }
}

/// Pool connections: `min` to 1000.
pub(super) fn connections(value: &str, min: usize) -> Result<usize, String> {
    whole_number(value, min, 1000)
}

/// A limit's count: 1 to 1,000,000.
pub(super) fn count(value: &str) -> Result<u32, String> {
    whole_number(value, 1, 1_000_000)
}

/// `10.0.0.1, 10.1.0.0/16, ::1`: single addresses or CIDR ranges.
pub(super) fn networks(value: &str) -> Result<Vec<ipnet::IpNet>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<ipnet::IpNet>()
                .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("expected IP addresses or CIDR ranges, got {part:?}"))
        })
        .collect()
}

pub(super) fn host_and_port(value: &str) -> Result<(String, u16), String> {
    match value.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => match port.parse() {
            Ok(port) => Ok((host.trim_matches(['[', ']']).to_owned(), port)),
            Err(_) => Err(format!("expected host:port, got {value:?}")),
        },
        _ => Err(format!("expected host:port, got {value:?}")),
    }
}

/// Docker's rule for container names.
pub(super) fn container_name(value: &str) -> Result<String, String> {
    let mut chars = value.chars();
    let valid = chars.next().is_some_and(|first| first.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if valid {
        Ok(value.to_owned())
    } else {
        Err(format!("expected a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*), got {value:?}"))
    }
}

pub(super) fn parse_bool(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" | "" => Ok(false),
        _ => Err(format!("expected true or false, got {value:?}")),
    }
}
