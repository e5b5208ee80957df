//! Plain types of ReViewPoint's domain, parsed and validated at the edge so
//! inner code never re-checks them. No SQL, no HTTP: imports nothing of ours.

mod cursor;
mod email;
mod file;
mod login;
mod outbox;
mod password;
mod profile;
mod refresh_token;
mod secret_token;
mod session;
mod user;

pub use cursor::{Cursor, CursorError, Page};
pub use email::{Email, EmailError};
pub use file::{ContentType, File, FileChanges, FileError, Filename, NewFile};
pub use login::ClientKey;
pub use outbox::{NewMail, OutboxMail};
pub use password::{PASSWORD_MAX, PASSWORD_MIN, Password, PasswordError};
pub use profile::{AvatarUrl, Bio, Name, Preferences, ProfileChanges, ProfileError};
pub use refresh_token::RefreshToken;
pub use secret_token::{SecretToken, TokenHash};
pub use session::{Principal, SessionSummary};
pub use user::{Credentials, PasswordHash, User, UserChanges};

/// Column widths from the schema, repeated in the spec's `maxLength`.
pub mod limits {
    pub const EMAIL_MAX: usize = 255;
    pub const FILENAME_MAX: usize = 255;
    pub const CONTENT_TYPE_MAX: usize = 128;
    pub const NAME_MAX: usize = 128;
    pub const BIO_MAX: usize = 512;
    pub const AVATAR_URL_MAX: usize = 255;
    pub const USER_AGENT_MAX: usize = 512;
    /// Not a column width: `preferences` is jsonb, bounded by the service.
    pub const PREFERENCES_MAX_BYTES: usize = 16 * 1024;
}
