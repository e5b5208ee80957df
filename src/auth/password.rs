//! Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), run on
//! the blocking pool so a hash never stalls the async workers.

use std::sync::LazyLock;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use crate::domain::{Password, PasswordHash};

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The hash checked when the email is unknown, so "no such user" costs as
/// much time as "wrong password" (no user enumeration by timing). Made once
/// per process from a random password nobody knows.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut unknowable = [0u8; 32];
    getrandom::fill(&mut unknowable).expect("the OS provides randomness");
    argon2().hash_password(&unknowable).expect("hashing succeeds").to_string()
});

pub async fn hash_password(password: Password) -> PasswordHash {
    tokio::task::spawn_blocking(move || {
        let phc = argon2().hash_password(password.expose().as_bytes()).expect("hashing into a PHC string succeeds");
        PasswordHash::new(phc.to_string())
    })
    .await
    .expect("the hashing task does not panic")
}

/// Whether `password` matches `hash`; with no hash (unknown user) it checks a
/// decoy and answers `false`, taking the same time.
pub async fn verify_password(password: Password, hash: Option<PasswordHash>) -> bool {
    tokio::task::spawn_blocking(move || {
        let (phc, real) = match &hash {
            Some(hash) => (hash.expose(), true),
            None => (DECOY_HASH.as_str(), false),
        };
        let matches = argon2().verify_password(password.expose().as_bytes(), phc).is_ok();
        matches && real
    })
    .await
    .expect("the verifying task does not panic")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(text: &str) -> Password {
        Password::parse(text).expect("valid password")
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let hash = hash_password(password("correct horse")).await;

        assert!(hash.expose().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(password("correct horse"), Some(hash.clone())).await);
        assert!(!verify_password(password("correct horsf"), Some(hash)).await);
    }

    #[tokio::test]
    async fn the_same_password_hashes_differently_each_time() {
        let (a, b) = (hash_password(password("correct horse")).await, hash_password(password("correct horse")).await);
        assert_ne!(a, b, "salted");
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies_but_still_pays_for_a_hash() {
        assert!(!verify_password(password("anything at all"), None).await);
    }
}
