//! Who is calling: password hashing for login, and the bearer tokens that
//! later requests carry. No SQL, no HTTP; imports `domain` only.

mod password;
mod token;

pub use password::{
    HashingBusy, HashingSlot, hash_password, hash_password_in, hashing_slot, new_password_slot, verify_password,
    when_idle as when_hashing_idle,
};
pub use token::{IssuedToken, TokenError, TokenKeys};
