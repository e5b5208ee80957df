//! The throttle on registrations: `queries/registrations.sql`.

use chrono::{DateTime, Utc};
use reviewpoint_codegen::queries::registrations as q;

use super::logins::clamp;
use crate::{
    config::ClientLimit,
    db::{self, DbError, Executor},
    domain::ClientKey,
};

pub struct RegistrationRepository;

impl RegistrationRepository {
    /// Counts a registration from `client` within `limit`: `Some(retry_at)`
    /// when the client is at its limit and the registration is refused.
    pub async fn count(
        db: &impl Executor,
        client: &ClientKey,
        limit: ClientLimit,
    ) -> Result<Option<DateTime<Utc>>, DbError> {
        let (key, max, window) = (client.as_str(), clamp(limit.per_client), limit.window.as_secs_f64());
        db::run!(db, |c| q::count_registration().bind(c, &key, &window, &max).one())
    }

    /// Removes up to `batch` windows that ended; returns how many.
    pub async fn sweep(db: &impl Executor, limit: ClientLimit, batch: u32) -> Result<u64, DbError> {
        let (window, batch) = (limit.window.as_secs_f64(), i64::from(batch));
        db::run!(db, |c| q::sweep_registration_throttle().bind(c, &window, &batch))
    }
}
