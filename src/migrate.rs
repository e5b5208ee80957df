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

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tokio_postgres::Client;

use crate::db::DbError;

/// Any constant unique to this project; two migrators block on it.
const LOCK_KEY: i64 = 0x5265_5669_6577_506f; // "ReViewPo"

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
        Self { migrations }
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
        Ok(Self { migrations })
    }

    /// Only the first `count` migrations (tests step through them one by one).
    pub fn first(&self, count: usize) -> Self {
        Self { migrations: self.migrations[..count.min(self.migrations.len())].to_vec() }
    }

    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    /// Applies every pending migration, oldest first; returns what it applied.
    pub async fn up(&self, client: &mut Client) -> Result<Vec<Migration>, MigrateError> {
        self.locked(client, async |client, applied| {
            let mut done = Vec::new();
            for migration in self.migrations.iter().filter(|m| !applied.contains_key(&m.version)) {
                let tx = client.transaction().await.map_err(DbError::from)?;
                let failed = |source| MigrateError::Failed { migration: migration.to_string(), source };
                tx.batch_execute(&migration.up).await.map_err(failed)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    &[&migration.version, &migration.name, &migration.checksum()],
                )
                .await
                .map_err(failed)?;
                tx.commit().await.map_err(failed)?;
                tracing::info!(%migration, "applied migration");
                done.push(migration.clone());
            }
            Ok(done)
        })
        .await
    }

    /// Reverts the `steps` most recently applied migrations, newest first.
    pub async fn down(&self, client: &mut Client, steps: usize) -> Result<Vec<Migration>, MigrateError> {
        self.locked(client, async |client, applied| {
            let mut versions: Vec<i64> = applied.keys().copied().collect();
            versions.sort_unstable_by(|a, b| b.cmp(a));
            let mut done = Vec::new();
            for version in versions.into_iter().take(steps) {
                let migration = self.find(version)?;
                let tx = client.transaction().await.map_err(DbError::from)?;
                let failed = |source| MigrateError::Failed { migration: migration.to_string(), source };
                tx.batch_execute(&migration.down).await.map_err(failed)?;
                tx.execute("DELETE FROM schema_migrations WHERE version = $1", &[&version]).await.map_err(failed)?;
                tx.commit().await.map_err(failed)?;
                tracing::info!(%migration, "reverted migration");
                done.push(migration.clone());
            }
            Ok(done)
        })
        .await
    }

    /// Every known migration with when it was applied, if it was.
    pub async fn status(&self, client: &mut Client) -> Result<Vec<MigrationStatus>, MigrateError> {
        self.locked(client, async |_, applied| {
            Ok(self
                .migrations
                .iter()
                .map(|m| MigrationStatus {
                    version: m.version,
                    name: m.name.clone(),
                    applied_at: applied.get(&m.version).map(|(_, at)| *at),
                })
                .collect())
        })
        .await
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
