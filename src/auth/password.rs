//! Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), run on
//! threads of its own so a hash never stalls the async workers.
//!
//! Hashing is bounded: one thread per core hashes, a short queue waits behind
//! them, and past that the caller gets [`HashingBusy`] (the API answers 503
//! with `Retry-After`). On tokio's blocking pool, a storm of logins once
//! started hundreds of threads of 19 MiB each and took the process to
//! gigabytes that never came back; bounding the concurrency alone was not
//! enough, as the pool still churns through threads and each new thread may
//! keep its 19 MiB in a malloc arena of its own. A fixed set of long-lived
//! threads keeps at most one such buffer each. (A general pool such as rayon
//! would do too, but brings work stealing this one kind of job does not need.)
//!
//! The hashing threads run at the lowest CPU priority: when logins and other
//! requests compete for the cores, the other requests win and logins queue
//! (then shed with 503), so a login storm cannot slow everything else down.
//! And when hashing goes idle, [`when_idle`]'s hook runs: the binary uses it
//! to hand the freed hash buffers back to the system at once.

use std::sync::{Arc, LazyLock, Mutex, OnceLock, mpsc};

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

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

/// A place on the hashing threads, taken before the work it is for: login
/// takes one before it counts an attempt, so an attempt refused for want of
/// hashing capacity (503) is never counted against the account; so does
/// registration. A place for a new password also holds one of the places
/// kept from logins' share.
pub struct HashingSlot {
    _place: OwnedSemaphorePermit,
    _new_password: Option<OwnedSemaphorePermit>,
}

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads and their bounded queue.
struct Hashers {
    jobs: mpsc::Sender<Job>,
    /// One permit per job running or queued, held until the job is done, so
    /// the queue stays bounded even when callers give up waiting.
    admitted: Arc<Semaphore>,
    /// Hashing new passwords (registration, a password change or reset) may
    /// take at most half the places: the rest stay for logins, so that a
    /// flood of registrations cannot turn every login away.
    new_passwords: Arc<Semaphore>,
}

/// Called on a hashing thread whenever the last admitted hash has finished.
static IDLE_HOOK: OnceLock<fn()> = OnceLock::new();

/// Sets what runs when hashing goes idle (once per process; later calls are
/// ignored). The binary returns freed memory to the system there, which only
/// it can do: it chose the allocator.
pub fn when_idle(hook: fn()) {
    let _ = IDLE_HOOK.set(hook);
}

impl Hashers {
    fn start(threads: usize, queued: usize) -> Self {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let inbox = Arc::new(Mutex::new(inbox));
        let capacity = threads + queued;
        let admitted = Arc::new(Semaphore::new(capacity));
        for n in 0..threads {
            let (inbox, admitted) = (inbox.clone(), admitted.clone());
            let hashing = move || {
                if let Err(error) = thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Min) {
                    tracing::warn!(%error, "hashing runs at normal priority");
                }
                // One thread at a time waits on the queue; the lock is
                // released before the job runs.
                while let Ok(Ok(job)) = inbox.lock().map(|inbox| inbox.recv()) {
                    job();
                    // The job released its permit: all of them back means
                    // nothing is running or queued.
                    if admitted.available_permits() == capacity
                        && let Some(hook) = IDLE_HOOK.get()
                    {
                        hook();
                    }
                }
            };
            std::thread::Builder::new().name(format!("argon2-{n}")).spawn(hashing).expect("spawn a hashing thread");
        }
        let new_passwords = Arc::new(Semaphore::new(capacity.div_ceil(2)));
        Self { jobs, admitted, new_passwords }
    }

    /// A place running or queued, or [`HashingBusy`] at once when the queue is full.
    fn slot(&self) -> Result<HashingSlot, HashingBusy> {
        let place = self.admitted.clone().try_acquire_owned().map_err(|_| HashingBusy)?;
        Ok(HashingSlot { _place: place, _new_password: None })
    }

    /// A place for hashing a new password, within that work's share.
    fn new_password_slot(&self) -> Result<HashingSlot, HashingBusy> {
        let share = self.new_passwords.clone().try_acquire_owned().map_err(|_| HashingBusy)?;
        let place = self.admitted.clone().try_acquire_owned().map_err(|_| HashingBusy)?;
        Ok(HashingSlot { _place: place, _new_password: Some(share) })
    }

    /// Runs one argon2 computation on a hashing thread, or refuses at once
    /// when the queue is full.
    #[cfg(test)]
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, HashingBusy> {
        let slot = self.slot()?;
        self.run_in(slot, work).await
    }

    /// Runs one argon2 computation in a place already taken.
    async fn run_in<T: Send + 'static>(
        &self,
        permit: HashingSlot,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashingBusy> {
        let (reply, answer) = oneshot::channel();
        let job = move || {
            // A caller that went away (a dropped connection) costs no hash.
            if !reply.is_closed() {
                let value = work();
                drop(permit);
                let _ = reply.send(value);
            }
        };
        self.jobs.send(Box::new(job)).map_err(|_| HashingBusy)?;
        answer.await.map_err(|_| HashingBusy)
    }
}

static HASHERS: LazyLock<Hashers> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    Hashers::start(cores, cores * QUEUED_PER_CORE)
});

/// Hashes a new password, in logins' share of the hashing threads or not at all.
pub async fn hash_password(password: Password) -> Result<PasswordHash, HashingBusy> {
    hash_password_in(new_password_slot()?, password).await
}

/// Takes a place for a later [`hash_password_in`], within new passwords' share.
pub fn new_password_slot() -> Result<HashingSlot, HashingBusy> {
    HASHERS.new_password_slot()
}

pub async fn hash_password_in(slot: HashingSlot, password: Password) -> Result<PasswordHash, HashingBusy> {
    HASHERS.run_in(slot, move || hash(&password)).await
}

fn hash(password: &Password) -> PasswordHash {
    let phc = argon2().hash_password(password.expose().as_bytes()).expect("hashing into a PHC string succeeds");
    PasswordHash::new(phc.to_string())
}

/// Takes a place on the hashing threads for a later [`verify_password`].
pub fn hashing_slot() -> Result<HashingSlot, HashingBusy> {
    HASHERS.slot()
}

/// Whether `password` matches `hash`, checked in `slot`; with no hash
/// (unknown user) it checks a decoy and answers `false`, taking the same time.
pub async fn verify_password(
    slot: HashingSlot,
    password: Password,
    hash: Option<PasswordHash>,
) -> Result<bool, HashingBusy> {
    HASHERS.run_in(slot, move || verify(&password, hash.as_ref())).await
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
        let verify = async |text, hash| verify_password(hashing_slot().expect("a place"), password(text), hash).await;
        assert!(verify("correct horse", Some(hash.clone())).await.expect("not busy"));
        assert!(!verify("correct horsf", Some(hash)).await.expect("not busy"));
    }

    #[tokio::test]
    async fn the_same_password_hashes_differently_each_time() {
        let hash = async || hash_password(password("correct horse")).await.expect("not busy");
        let (a, b) = (hash().await, hash().await);
        assert_ne!(a, b, "salted");
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies_but_still_pays_for_a_hash() {
        let slot = hashing_slot().expect("a place");
        assert!(!verify_password(slot, password("anything at all"), None).await.expect("not busy"));
    }

    #[tokio::test]
    async fn past_the_queue_callers_are_turned_away_instead_of_piling_up() {
        let hashers = Hashers::start(1, 2);
        let storm = (0..10).map(|_| hashers.run(|| verify(&password("wrong password"), None)));

        let answers = futures::future::join_all(storm).await;

        let (ran, busy): (Vec<_>, Vec<_>) = answers.into_iter().partition(Result::is_ok);
        assert_eq!((ran.len(), busy.len()), (3, 7), "one running and two queued; the rest turned away at once");
        assert_eq!(hashers.admitted.available_permits(), 3, "every permit came back");
    }

    #[tokio::test]
    async fn new_passwords_take_at_most_half_the_places_and_logins_keep_the_rest() {
        let hashers = Hashers::start(1, 3);
        let new_passwords: Vec<_> = (0..4).map(|_| hashers.new_password_slot()).collect();
        let taken = new_passwords.iter().filter(|slot| slot.is_ok()).count();

        assert_eq!(taken, 2, "half of four places");
        let logins: Vec<_> = (0..3).map(|_| hashers.slot()).collect();
        assert_eq!(logins.iter().filter(|slot| slot.is_ok()).count(), 2, "the other half is still there for logins");
        drop(new_passwords);
        assert!(hashers.new_password_slot().is_ok(), "places come back with their slots");
    }
}
