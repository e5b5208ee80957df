//! Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), run on
//! the blocking pool so a hash never stalls the async workers.
//!
//! Hashing is bounded: at most one hash per core runs at once and a short
//! queue waits behind them; past that the caller gets [`HashingBusy`] (the
//! API answers 503 with `Retry-After`). Unbounded, a storm of logins once
//! started hundreds of blocking threads of 19 MiB each and took the process
//! to gigabytes that never came back.

use std::sync::LazyLock;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use tokio::sync::Semaphore;

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

/// How many hashes may wait, per core, behind the ones running. At tens of
/// milliseconds a hash, a full queue drains in about a second.
const QUEUED_PER_CORE: usize = 32;

/// Too many passwords are being hashed; retry shortly.
#[derive(Debug, thiserror::Error)]
#[error("too many password checks at once")]
pub struct HashingBusy;

struct Limits {
    /// One permit per hash that may run now: one per core.
    running: Semaphore,
    /// One permit per hash that may run or wait.
    admitted: Semaphore,
}

impl Limits {
    const fn new(running: usize, queued: usize) -> Self {
        Self { running: Semaphore::const_new(running), admitted: Semaphore::const_new(running + queued) }
    }

    /// Runs one argon2 computation on the blocking pool within the limits.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, HashingBusy> {
        let _admitted = self.admitted.try_acquire().map_err(|_| HashingBusy)?;
        let _running = self.running.acquire().await.map_err(|_| HashingBusy)?;
        Ok(tokio::task::spawn_blocking(work).await.expect("argon2 does not panic on valid parameters"))
    }
}

static LIMITS: LazyLock<Limits> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    Limits::new(cores, cores * QUEUED_PER_CORE)
});

pub async fn hash_password(password: Password) -> Result<PasswordHash, HashingBusy> {
    LIMITS.run(move || hash(&password)).await
}

fn hash(password: &Password) -> PasswordHash {
    let phc = argon2().hash_password(password.expose().as_bytes()).expect("hashing into a PHC string succeeds");
    PasswordHash::new(phc.to_string())
}

/// Whether `password` matches `hash`; with no hash (unknown user) it checks a
/// decoy and answers `false`, taking the same time.
pub async fn verify_password(password: Password, hash: Option<PasswordHash>) -> Result<bool, HashingBusy> {
    LIMITS.run(move || verify(&password, hash.as_ref())).await
}

fn verify(password: &Password, hash: Option<&PasswordHash>) -> bool {
    let (phc, real) = match hash {
        Some(hash) => (hash.expose(), true),
        None => (DECOY_HASH.as_str(), false),
    };
    argon2().verify_password(password.expose().as_bytes(), phc).is_ok() && real
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(text: &str) -> Password {
        Password::parse(text).expect("valid password")
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let hash = hash_password(password("correct horse")).await.expect("not busy");

        assert!(hash.expose().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(password("correct horse"), Some(hash.clone())).await.expect("not busy"));
        assert!(!verify_password(password("correct horsf"), Some(hash)).await.expect("not busy"));
    }

    #[tokio::test]
    async fn the_same_password_hashes_differently_each_time() {
        let hash = async || hash_password(password("correct horse")).await.expect("not busy");
        let (a, b) = (hash().await, hash().await);
        assert_ne!(a, b, "salted");
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies_but_still_pays_for_a_hash() {
        assert!(!verify_password(password("anything at all"), None).await.expect("not busy"));
    }

    #[tokio::test]
    async fn past_the_queue_callers_are_turned_away_instead_of_piling_up() {
        let limits = Limits::new(1, 2);
        let storm = (0..10).map(|_| limits.run(|| verify(&password("wrong password"), None)));

        let answers = futures::future::join_all(storm).await;

        let (ran, busy): (Vec<_>, Vec<_>) = answers.into_iter().partition(Result::is_ok);
        assert_eq!((ran.len(), busy.len()), (3, 7), "one running and two queued; the rest turned away at once");
        assert_eq!(limits.admitted.available_permits(), 3, "every permit came back");
    }
}
