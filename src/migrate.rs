//! The migration runner behind `reviewpoint migrate up | down [N] | status | new NAME`.
//!
//! Each migration is a folder `migrations/<version>_<name>/` with `up.sql` and
//! `down.sql`; the version is a UTC timestamp `YYYYMMDDHHMMSS`. Applied
//! migrations are recorded in `schema_migrations` with a SHA-256 of both
//! files: an applied migration whose files changed is refused, not silently
//! skipped. Each migration runs in its own transaction, and a session-level
//! advisory lock makes concurrent migrators take turns, so no migration is
//! applied twice.
//!
//! For a live system:
//! - DDL waits at most [`LOCK_TIMEOUT`] for its table locks, then the
//!   migration is rolled back and tried again, up to [`LOCK_ATTEMPTS`] times:
//!   a migration queued behind a long transaction would otherwise block every
//!   query on that table behind it.
//! - A migration whose `up.sql` (or `down.sql`) starts with the line
//!   `-- reviewpoint: no-transaction` runs that script outside a transaction,
//!   one statement at a time (for `CREATE INDEX CONCURRENTLY`); write it so that
//!   it can run again after a failure (`IF NOT EXISTS`, dropping an invalid
//!   index first).
//! - `status` takes no lock and writes nothing.
//! - A pending migration older than one already applied is refused: it was
//!   written against an older schema than the database has.
//!
//! Written here rather than taken from a library: refinery has no down
//! migrations, and the reversible runners (sqlx, diesel) bring their own
//! database drivers next to tokio-postgres. This is ~200 lines over the
//! driver we already use. Its bookkeeping SQL lives here, not in `queries/`,
//! because it must run before any schema exists.

use std::{
    collections::HashMap,
    fmt,
    path::{Path, PathBuf},
};

use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tokio_postgres::{Client, error::SqlState};

use crate::db::DbError;

/// How long one DDL statement may wait for a table lock (backing off for
/// 5 + 10 + 20 + 40 s between the tries: at most about 100 s in all).
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(5);
/// Tries of a migration whose DDL timed out waiting for a lock.
pub const LOCK_ATTEMPTS: u32 = 5;
/// The first line that makes a migration run outside a transaction.
const NO_TRANSACTION: &str = "-- reviewpoint: no-transaction";

/// Any constant unique to this project; two migrators block on it.
pub const LOCK_KEY: i64 = 0x5265_5669_6577_506f; // "ReViewPo"

const CREATE_BOOKKEEPING: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    bigint PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)";

#[derive(Clone, Debug)]
pub struct Migration {
    pub version: i64,
    pub name: String,
    up: String,
    down: String,
}

impl Migration {
    fn parse(folder: &str, up: String, down: String) -> Result<Self, MigrateError> {
        let invalid = || MigrateError::Invalid(format!("{folder}: expected <YYYYMMDDHHMMSS>_<name>"));
        let (version, name) = folder.split_once('_').ok_or_else(invalid)?;
        if version.len() != 14 || name.is_empty() {
            return Err(invalid());
        }
        let version = version.parse().map_err(|_| invalid())?;
        Ok(Self { version, name: name.to_owned(), up, down })
    }

    fn checksum(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(self.up.as_bytes());
        hash.update([0]);
        hash.update(self.down.as_bytes());
        hash.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

impl fmt::Display for Migration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.version, self.name)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("migration {0} was applied, but its files have changed since: restore them, or write a new migration")]
    Changed(String),
    #[error(
        "the database has migration {0} applied, which this build does not know: is this binary older than the database?"
    )]
    Unknown(i64),
    #[error("invalid migration: {0}")]
    Invalid(String),
    #[error(
        "migration {migration} is older than {latest}, which is already applied: it was written against an older \
         schema. Give it a newer version (a folder name with the current time) and apply it again"
    )]
    OutOfOrder { migration: String, latest: String },
    #[error(
        "migration {migration} could not take its table locks within {timeout:?}, {attempts} times: a long \
         transaction holds them (see pg_stat_activity); try again when it ends"
    )]
    LockTimeout { migration: String, timeout: Duration, attempts: u32 },
    #[error("migration {migration} failed: {source}")]
    Failed { migration: String, source: tokio_postgres::Error },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Where one migration stands in a database.
#[derive(Debug, PartialEq, Eq)]
pub struct MigrationStatus {
    pub version: i64,
    pub name: String,
    pub applied_at: Option<DateTime<Utc>>,
}

/// An ordered set of migrations.
#[derive(Clone, Debug)]
pub struct Migrator {
    migrations: Vec<Migration>,
    lock_timeout: Duration,
}

impl Migrator {
    /// The migrations compiled into this binary (see build.rs).
    pub fn embedded() -> Self {
        const EMBEDDED: &[(&str, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
        let migrations = EMBEDDED
            .iter()
            .map(|(folder, up, down)| Migration::parse(folder, (*up).to_owned(), (*down).to_owned()))
            .collect::<Result<_, _>>()
            .expect("build.rs embeds only well-named migrations");
        Self { migrations, lock_timeout: LOCK_TIMEOUT }
    }

    /// The migrations in a folder laid out like `migrations/`.
    pub fn from_dir(dir: &Path) -> Result<Self, MigrateError> {
        let mut folders: Vec<PathBuf> =
            std::fs::read_dir(dir)?.map(|entry| entry.map(|entry| entry.path())).collect::<Result<_, _>>()?;
        folders.retain(|path| path.is_dir());
        folders.sort();
        let migrations = folders
            .iter()
            .map(|path| {
                let folder = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                let read = |file| std::fs::read_to_string(path.join(file));
                Migration::parse(folder, read("up.sql")?, read("down.sql")?)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { migrations, lock_timeout: LOCK_TIMEOUT })
    }

    /// The same migrations, waiting at most `timeout` for each lock.
    pub fn with_lock_timeout(self, timeout: Duration) -> Self {
        Self { lock_timeout: timeout, ..self }
    }

    /// Only the first `count` migrations (tests step through them one by one).
    pub fn first(&self, count: usize) -> Self {
        Self { migrations: self.migrations[..count.min(self.migrations.len())].to_vec(), ..self.clone() }
    }

    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    /// Applies every pending migration, oldest first; returns what it applied.
    pub async fn up(&self, client: &mut Client) -> Result<Vec<Migration>, MigrateError> {
        self.locked(client, async |client, applied| {
            let pending: Vec<&Migration> =
                self.migrations.iter().filter(|m| !applied.contains_key(&m.version)).collect();
            if let (Some(oldest), Some(latest)) = (pending.first(), applied.keys().max())
                && oldest.version < *latest
            {
                return Err(MigrateError::OutOfOrder {
                    migration: oldest.to_string(),
                    latest: self.find(*latest)?.to_string(),
                });
            }
            let mut done = Vec::new();
            for migration in pending {
                self.apply_with_retries(client, migration).await?;
                tracing::info!(%migration, "applied migration");
                done.push(migration.clone());
            }
            Ok(done)
        })
        .await
    }

    /// Applies one migration, again after a lock timeout (backing off one,
    /// two, four … lock timeouts), up to [`LOCK_ATTEMPTS`] times.
    async fn apply_with_retries(&self, client: &mut Client, migration: &Migration) -> Result<(), MigrateError> {
        for attempt in 1..=LOCK_ATTEMPTS {
            match self.apply(client, migration).await {
                Err(MigrateError::Failed { source, .. }) if source.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => {
                    tracing::warn!(%migration, attempt, "a table lock was not free in time; trying again");
                    if attempt < LOCK_ATTEMPTS {
                        tokio::time::sleep(self.lock_timeout * (1 << (attempt - 1))).await;
                    }
                }
                other => return other,
            }
        }
        Err(MigrateError::LockTimeout {
            migration: migration.to_string(),
            timeout: self.lock_timeout,
            attempts: LOCK_ATTEMPTS,
        })
    }

    async fn apply(&self, client: &mut Client, migration: &Migration) -> Result<(), MigrateError> {
        let record = "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)";
        let checksum = migration.checksum();
        self.run(client, migration, &migration.up, record, &[&migration.version, &migration.name, &checksum]).await
    }

    /// Runs `script` of `migration` and then the bookkeeping statement: in
    /// one transaction, or, when the script is marked, statement by statement.
    async fn run(
        &self,
        client: &mut Client,
        migration: &Migration,
        script: &str,
        bookkeeping: &str,
        values: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<(), MigrateError> {
        let failed = |source| MigrateError::Failed { migration: migration.to_string(), source };
        let lock_timeout = format!("{}ms", self.lock_timeout.as_millis());
        if script.starts_with(NO_TRANSACTION) {
            client.execute("SELECT set_config('lock_timeout', $1, false)", &[&lock_timeout]).await.map_err(failed)?;
            let mut outcome = Ok(());
            for statement in statements(script) {
                if let Err(error) = client.batch_execute(statement).await {
                    outcome = Err(failed(error));
                    break;
                }
            }
            let reset = client.batch_execute("RESET lock_timeout").await;
            outcome?;
            reset.map_err(failed)?;
            client.execute(bookkeeping, values).await.map_err(failed)?;
            return Ok(());
        }
        let tx = client.transaction().await.map_err(DbError::from)?;
        tx.execute("SELECT set_config('lock_timeout', $1, true)", &[&lock_timeout]).await.map_err(failed)?;
        tx.batch_execute(script).await.map_err(failed)?;
        tx.execute(bookkeeping, values).await.map_err(failed)?;
        tx.commit().await.map_err(failed)
    }

    /// Reverts the `steps` most recently applied migrations, newest first.
    pub async fn down(&self, client: &mut Client, steps: usize) -> Result<Vec<Migration>, MigrateError> {
        self.locked(client, async |client, applied| {
            let mut versions: Vec<i64> = applied.keys().copied().collect();
            versions.sort_unstable_by(|a, b| b.cmp(a));
            let mut done = Vec::new();
            for version in versions.into_iter().take(steps) {
                let migration = self.find(version)?;
                let forget = "DELETE FROM schema_migrations WHERE version = $1";
                self.run(client, migration, &migration.down, forget, &[&version]).await?;
                tracing::info!(%migration, "reverted migration");
                done.push(migration.clone());
            }
            Ok(done)
        })
        .await
    }

    /// Every known migration with when it was applied, if it was. Takes no
    /// lock and writes nothing (it works on a read-only connection).
    pub async fn status(&self, client: &mut Client) -> Result<Vec<MigrationStatus>, MigrateError> {
        let exists: Option<String> =
            client.query_one("SELECT to_regclass('schema_migrations')::text", &[]).await.map_err(DbError::from)?.get(0);
        let applied = match exists {
            Some(_) => self.applied(client).await?,
            None => HashMap::new(),
        };
        Ok(self
            .migrations
            .iter()
            .map(|m| MigrationStatus {
                version: m.version,
                name: m.name.clone(),
                applied_at: applied.get(&m.version).map(|(_, at)| *at),
            })
            .collect())
    }

    /// Whether every migration of this binary is applied (and none is unknown or changed).
    pub async fn is_current(&self, client: &mut Client) -> Result<bool, MigrateError> {
        Ok(self.status(client).await?.iter().all(|status| status.applied_at.is_some()))
    }

    fn find(&self, version: i64) -> Result<&Migration, MigrateError> {
        self.migrations.iter().find(|m| m.version == version).ok_or(MigrateError::Unknown(version))
    }

    /// Runs `work` holding the advisory lock, with the applied migrations
    /// (version -> checksum, applied_at) already checked against the files.
    async fn locked<T>(
        &self,
        client: &mut Client,
        work: impl AsyncFnOnce(&mut Client, &HashMap<i64, (String, DateTime<Utc>)>) -> Result<T, MigrateError>,
    ) -> Result<T, MigrateError> {
        client.execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY]).await.map_err(DbError::from)?;
        let result = async {
            client.batch_execute(CREATE_BOOKKEEPING).await.map_err(DbError::from)?;
            let applied = self.applied(client).await?;
            work(client, &applied).await
        }
        .await;
        let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY]).await;
        let value = result?;
        unlocked.map_err(DbError::from)?;
        Ok(value)
    }

    async fn applied(&self, client: &Client) -> Result<HashMap<i64, (String, DateTime<Utc>)>, MigrateError> {
        let rows = client
            .query("SELECT version, checksum, applied_at FROM schema_migrations", &[])
            .await
            .map_err(DbError::from)?;
        let mut applied = HashMap::new();
        for row in rows {
            let (version, checksum): (i64, String) = (row.get(0), row.get(1));
            let migration = self.find(version)?;
            if migration.checksum() != checksum {
                return Err(MigrateError::Changed(migration.to_string()));
            }
            applied.insert(version, (checksum, row.get(2)));
        }
        Ok(applied)
    }
}

/// The statements of a script, split at each `;` outside quotes, dollar
/// quotes and comments (a no-transaction migration runs them one by one:
/// PostgreSQL runs a multi-statement string as one implicit transaction).
/// Written here: the only SQL parsers on crates.io are whole-grammar ones.
fn statements(script: &str) -> Vec<&str> {
    let bytes = script.as_bytes();
    let (mut statements, mut start, mut i) = (Vec::new(), 0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => {
                let quote = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'$' => {
                // $tag$ ... $tag$ (tag possibly empty).
                let tag_end = script[i + 1..].find('$').map(|end| i + 1 + end);
                if let Some(tag_end) =
                    tag_end.filter(|&end| script[i + 1..end].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
                {
                    let tag = &script[i..=tag_end];
                    match script[tag_end + 1..].find(tag) {
                        Some(close) => i = tag_end + 1 + close + tag.len() - 1,
                        None => i = bytes.len(),
                    }
                }
            }
            b';' => {
                statements.push(&script[start..=i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    statements.push(&script[start.min(script.len())..]);
    statements.into_iter().filter(|statement| !is_blank(statement)).collect()
}

/// Only whitespace and comments.
fn is_blank(sql: &str) -> bool {
    sql.lines().map(str::trim).all(|line| line.is_empty() || line.starts_with("--"))
}

/// Creates `dir/<now>_<name>/{up,down}.sql`, empty but for a comment.
pub fn new_migration(dir: &Path, name: &str) -> Result<PathBuf, MigrateError> {
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(MigrateError::Invalid(format!("{name:?}: use lowercase letters, digits and _")));
    }
    let folder = dir.join(format!("{}_{name}", Utc::now().format("%Y%m%d%H%M%S")));
    std::fs::create_dir_all(&folder)?;
    std::fs::write(folder.join("up.sql"), format!("-- {name}: say what changes and why.\n"))?;
    std::fs::write(
        folder.join("down.sql"),
        format!("-- Reverts {name}: leave the schema exactly as before up.sql.\n"),
    )?;
    Ok(folder)
}

/// The schema as the catalog describes it, one sorted line per object
/// (bookkeeping excluded): equal snapshots mean equal schemas.
pub async fn schema_snapshot(client: &Client) -> Result<Vec<String>, DbError> {
    Ok(reviewpoint_codegen::queries::catalog::schema_objects().bind(client).all().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_split_at_semicolons_outside_quotes_and_comments() {
        let script = "-- reviewpoint: no-transaction\n\
            DROP INDEX CONCURRENTLY IF EXISTS ix_a; -- a comment; with a semicolon\n\
            CREATE INDEX CONCURRENTLY ix_a ON t (a) WHERE b <> ';';\n\
            /* block; comment */ COMMENT ON TABLE t IS 'it''s; fine';\n\
            DO $body$ BEGIN PERFORM 1; END $body$;\n\
            SELECT $$;$$\n-- trailing comment\n";

        let split: Vec<&str> = statements(script).into_iter().map(str::trim).collect();

        assert_eq!(split.len(), 5, "{split:#?}");
        assert!(split[0].ends_with("DROP INDEX CONCURRENTLY IF EXISTS ix_a;"));
        assert!(split[1].starts_with("-- a comment; with a semicolon") && split[1].ends_with("WHERE b <> ';';"));
        assert!(split[2].ends_with("IS 'it''s; fine';"));
        assert!(split[3].starts_with("DO $body$") && split[3].ends_with("END $body$;"));
        assert!(split[4].starts_with("SELECT $$;$$"));
    }
}
