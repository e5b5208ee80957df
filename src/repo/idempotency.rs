//! Creates that run at most once per idempotency key: `queries/idempotency.sql`.

use std::time::Duration;

use reviewpoint_codegen::queries::idempotency as q;

use super::{Caller, FileRepository};
use crate::{
    db::{self, Connection, DbError, in_transaction},
    domain::{File, NewFile, Principal},
};

/// What an attempt under an idempotency key did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Once<T> {
    /// The first attempt: created now.
    Created(T),
    /// A repeat: what the first attempt created, unchanged.
    Replayed(T),
    /// The key was used before with another request body.
    KeyReused,
}

/// Why the claiming transaction is rolled back.
enum Abort {
    Inactive,
    Db(DbError),
}

impl From<DbError> for Abort {
    fn from(error: DbError) -> Self {
        Self::Db(error)
    }
}

impl FileRepository {
    /// Creates `new` once per `(owner, key)` within `ttl`: the claim of the
    /// key, the insert and its recorded outcome commit together.
    pub async fn create_once(
        connection: &mut Connection,
        owner: Principal,
        new: &NewFile,
        key: &str,
        ttl: Duration,
    ) -> Result<Caller<Once<File>>, DbError> {
        let (fingerprint, ttl) = (new.fingerprint(), ttl.as_secs_f64());
        let user_id = owner.user_id;
        let outcome = in_transaction(connection, async |tx| {
            let claim = db::run!(tx, |c| q::claim_idempotency_key().bind(c, &user_id, &key, &fingerprint, &ttl).opt());
            let claimed = match claim {
                Ok(claimed) => claimed.is_some(),
                // The owner was deleted meanwhile.
                Err(DbError::Conflict { constraint, .. }) if constraint == "idempotency_keys_user_id_fkey" => {
                    return Err(Abort::Inactive);
                }
                Err(error) => return Err(error.into()),
            };
            if !claimed {
                let session_id = owner.session_id;
                let record = db::run!(tx, |c| q::idempotent_outcome().bind(c, &user_id, &key, &session_id).opt())?;
                let Some(record) = record else { return Err(Abort::Inactive) };
                if record.fingerprint != fingerprint {
                    return Ok(Once::KeyReused);
                }
                let file = record.outcome.as_deref().and_then(|outcome| serde_json::from_str(outcome).ok());
                return file.map(Once::Replayed).ok_or(Abort::Db(DbError::Unreadable("idempotency outcome")));
            }
            let Caller::Active(file) = FileRepository::create(tx, owner, new).await? else {
                return Err(Abort::Inactive);
            };
            let recorded = serde_json::to_string(&file).map_err(|_| DbError::Unreadable("idempotency outcome"))?;
            db::run!(tx, |c| q::record_idempotent_outcome().bind(c, &recorded, &user_id, &key))?;
            Ok(Once::Created(file))
        })
        .await;
        match outcome {
            Ok(once) => Ok(Caller::Active(once)),
            Err(Abort::Inactive) => Ok(Caller::Inactive),
            Err(Abort::Db(error)) => Err(error),
        }
    }

    /// Removes up to `batch` idempotency records older than `ttl`; returns how many.
    pub async fn sweep_idempotency_keys(db: &impl db::Executor, ttl: Duration, batch: u32) -> Result<u64, DbError> {
        let (ttl, batch) = (ttl.as_secs_f64(), i64::from(batch));
        db::run!(db, |c| q::sweep_idempotency_keys().bind(c, &ttl, &batch))
    }
}
