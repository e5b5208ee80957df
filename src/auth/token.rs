//! Bearer tokens: HS256 JWTs whose `sub` is the user's id and `sid` their
//! session's (both canonical decimal strings).
//!
//! Written over `hmac` + `sha2` rather than taken from `jsonwebtoken`: that
//! crate would bring a second generation of the RustCrypto crates (the driver
//! already uses the current one) and RSA/ECDSA/EdDSA code, all for one HMAC.
//! The format is small and fixed here: exactly HS256 (so `alg: none` and
//! algorithm confusion cannot pass), `exp` required, `nbf` honoured, the MAC
//! compared in constant time. Tests cover each rejection.

use std::{fmt, time::Duration};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::domain::Principal;

/// Signs and verifies tokens with one secret.
#[derive(Clone)]
pub struct TokenKeys {
    /// HMAC-SHA256 keyed once: a clone starts each signature without hashing
    /// the secret's two key blocks again on every request.
    keyed: Hmac<Sha256>,
    ttl: Duration,
}

impl fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKeys").field("secret", &"<redacted>").field("ttl", &self.ttl).finish()
    }
}

/// A freshly signed token and how long it lives.
#[derive(Debug)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in: Duration,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token is not signed with HS256")]
    UnsupportedAlgorithm,
    #[error("the token's signature is invalid")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    /// Issued before sessions existed (v1): it cannot be ended, so it is refused.
    #[error("the token names no session")]
    NoSession,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typ: Option<String>,
    /// Extensions a verifier must understand; we understand none.
    #[serde(default, skip_serializing)]
    crit: Option<serde_json::Value>,
}

#[derive(Serialize, Deserialize)]
struct Claims {
    sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
    exp: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nbf: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iat: Option<i64>,
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        let keyed = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
        Self { keyed, ttl }
    }

    fn mac(&self) -> Hmac<Sha256> {
        self.keyed.clone()
    }

    pub fn issue(&self, principal: Principal) -> IssuedToken {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: principal.user_id.to_string(),
            sid: Some(principal.session_id.to_string()),
            exp: (now + self.ttl.as_secs() as i64) as f64,
            nbf: None,
            iat: Some(now),
        };
        IssuedToken { token: self.sign(&claims), expires_in: self.ttl }
    }

    fn sign(&self, claims: &Claims) -> String {
        let header = Header { alg: "HS256".into(), typ: Some("JWT".into()), crit: None };
        let signed = format!("{}.{}", encode_json(&header), encode_json(claims));
        let mut mac = self.mac();
        mac.update(signed.as_bytes());
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    /// The user and session a valid token names.
    pub fn verify(&self, token: &str) -> Result<Principal, TokenError> {
        let (signed, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let (header, claims) = signed.split_once('.').ok_or(TokenError::Malformed)?;
        if claims.contains('.') {
            return Err(TokenError::Malformed);
        }
        let header: Header = decode_json(header)?;
        if header.alg != "HS256" || header.crit.is_some() {
            return Err(TokenError::UnsupportedAlgorithm);
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(signed.as_bytes());
        mac.verify_slice(&signature).map_err(|_| TokenError::BadSignature)?;

        let claims: Claims = decode_json(claims)?;
        let now = Utc::now().timestamp() as f64;
        if now >= claims.exp {
            return Err(TokenError::Expired);
        }
        if claims.nbf.is_some_and(|nbf| now < nbf) {
            return Err(TokenError::NotYetValid);
        }
        let user_id = canonical_id(&claims.sub).ok_or(TokenError::Malformed)?;
        let sid = claims.sid.ok_or(TokenError::NoSession)?;
        let session_id = canonical_id(&sid).ok_or(TokenError::Malformed)?;
        Ok(Principal { user_id, session_id })
    }
}

/// Canonical positive decimal only: "042" or "+42" name nothing.
fn canonical_id(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|id| *id > 0 && text == id.to_string())
}

fn encode_json(value: &impl Serialize) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("header and claims serialize"))
}

fn decode_json<T: for<'de> Deserialize<'de>>(part: &str) -> Result<T, TokenError> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn keys() -> TokenKeys {
        TokenKeys::new(SECRET, Duration::from_secs(3600))
    }

    fn forged(header: &str, claims: &str, key: &[u8]) -> String {
        let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(claims));
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key");
        mac.update(signing_input.as_bytes());
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    fn in_an_hour() -> i64 {
        Utc::now().timestamp() + 3600
    }

    const ANN: Principal = Principal { user_id: 42, session_id: 7 };

    #[test]
    fn an_issued_token_names_its_user_and_session() {
        let issued = keys().issue(ANN);
        assert_eq!(issued.expires_in, Duration::from_secs(3600));
        assert_eq!(keys().verify(&issued.token), Ok(ANN));
    }

    #[test]
    fn a_token_without_a_session_is_refused() {
        let v1 = forged(r#"{"alg":"HS256"}"#, &format!(r#"{{"sub":"42","exp":{}}}"#, in_an_hour()), SECRET);
        assert_eq!(keys().verify(&v1), Err(TokenError::NoSession));
        let bad_sid =
            forged(r#"{"alg":"HS256"}"#, &format!(r#"{{"sub":"42","sid":"07","exp":{}}}"#, in_an_hour()), SECRET);
        assert_eq!(keys().verify(&bad_sid), Err(TokenError::Malformed));
    }

    #[test]
    fn tampered_and_foreign_tokens_are_rejected() {
        let token = keys().issue(ANN).token;
        let (signed, _) = token.rsplit_once('.').expect("three parts");
        let other_claims = URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"1","exp":{}}}"#, in_an_hour()));
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[1] = &other_claims;
        assert_eq!(keys().verify(&parts.join(".")), Err(TokenError::BadSignature));
        assert_eq!(keys().verify(&format!("{signed}.AAAA")), Err(TokenError::BadSignature));
        let foreign =
            forged(r#"{"alg":"HS256"}"#, &format!(r#"{{"sub":"42","exp":{}}}"#, in_an_hour()), b"another secret");
        assert_eq!(keys().verify(&foreign), Err(TokenError::BadSignature));
    }

    #[test]
    fn alg_none_and_other_algorithms_are_rejected() {
        let claims = URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"42","exp":{}}}"#, in_an_hour()));
        let none = format!("{}.{claims}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#));
        assert_eq!(keys().verify(&none), Err(TokenError::UnsupportedAlgorithm));
        let hs512 = forged(r#"{"alg":"HS512"}"#, &format!(r#"{{"sub":"42","exp":{}}}"#, in_an_hour()), SECRET);
        assert_eq!(keys().verify(&hs512), Err(TokenError::UnsupportedAlgorithm));
        let crit =
            forged(r#"{"alg":"HS256","crit":["x"]}"#, &format!(r#"{{"sub":"42","exp":{}}}"#, in_an_hour()), SECRET);
        assert_eq!(keys().verify(&crit), Err(TokenError::UnsupportedAlgorithm));
    }

    #[test]
    fn expiry_is_required_and_enforced_and_nbf_honoured() {
        let now = Utc::now().timestamp();
        let expired = forged(r#"{"alg":"HS256"}"#, &format!(r#"{{"sub":"42","exp":{}}}"#, now - 1), SECRET);
        assert_eq!(keys().verify(&expired), Err(TokenError::Expired));
        let no_exp = forged(r#"{"alg":"HS256"}"#, r#"{"sub":"42"}"#, SECRET);
        assert_eq!(keys().verify(&no_exp), Err(TokenError::Malformed));
        let early = forged(
            r#"{"alg":"HS256"}"#,
            &format!(r#"{{"sub":"42","exp":{},"nbf":{}}}"#, now + 7200, now + 3600),
            SECRET,
        );
        assert_eq!(keys().verify(&early), Err(TokenError::NotYetValid));
        let started = forged(
            r#"{"alg":"HS256"}"#,
            &format!(r#"{{"sub":"42","sid":"7","exp":{},"nbf":{}}}"#, now + 60, now - 60),
            SECRET,
        );
        assert_eq!(keys().verify(&started), Ok(ANN));
    }

    #[test]
    fn malformed_tokens_and_subjects_are_rejected() {
        for bad in ["", "abc", "a.b", "a.b.c.d", "!!.!!.!!"] {
            assert_eq!(keys().verify(bad), Err(TokenError::Malformed), "{bad}");
        }
        for sub in [r#""abc""#, r#""0""#, r#""-1""#, r#""042""#, "42"] {
            let token = forged(r#"{"alg":"HS256"}"#, &format!(r#"{{"sub":{sub},"exp":{}}}"#, in_an_hour()), SECRET);
            assert_eq!(keys().verify(&token), Err(TokenError::Malformed), "sub {sub}");
        }
    }

    #[test]
    fn debug_never_shows_the_secret() {
        assert!(!format!("{:?}", keys()).contains("0123456789"));
    }
}
