//! Who is calling: password hashing for login, and the bearer tokens that
//! later requests carry. No SQL, no HTTP; imports `domain` only.

mod password;
mod token;

pub use password::{HashingBusy, hash_password, verify_password};
pub use token::{IssuedToken, TokenError, TokenKeys};
