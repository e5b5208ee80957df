//! The `reviewpoint` command: `serve` (the default), `migrate …`, `openapi`.

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use reviewpoint::{
    config::Config,
    db,
    migrate::{self, Migrator},
    startup, telemetry,
};

/// glibc's malloc keeps the 19 MiB of each password hash in its arenas (its
/// mmap threshold rises after the first free), so a login storm left the
/// process hundreds of megabytes larger for good. mimalloc gives large blocks
/// back to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc purges freed memory a second after the fact, and only when the
/// allocator is in use again: after a login storm on an otherwise idle
/// server, the 19 MiB hash buffers stayed resident. Called when hashing goes
/// idle, this purges at once (a few madvise calls, off the request path).
fn return_freed_memory() {
    // SAFETY: mi_collect takes no pointers and may be called from any thread
    // at any time; it is mimalloc's own API for exactly this.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}

#[derive(Parser)]
#[command(version, about = "ReViewPoint backend: HTTP API over PostgreSQL")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the default). In dev, creates and migrates the database first.
    Serve {
        /// Apply pending migrations before serving, in any environment.
        #[arg(long)]
        migrate: bool,
    },
    /// Manage the database schema.
    #[command(subcommand)]
    Migrate(MigrateCommand),
    /// Print the OpenAPI document (no database needed).
    Openapi,
    /// The PostgreSQL container dev starts when no database answers.
    #[cfg(feature = "dev-services")]
    #[command(subcommand)]
    DevDb(DevDbCommand),
}

#[cfg(feature = "dev-services")]
#[derive(Subcommand)]
enum DevDbCommand {
    /// Stop it; the next `serve` starts it again with its data.
    Stop,
    /// Remove it and its data.
    Rm,
}

#[derive(Subcommand)]
enum MigrateCommand {
    /// Apply every pending migration.
    Up,
    /// Revert the most recent migrations.
    Down {
        /// How many to revert.
        #[arg(default_value_t = 1)]
        steps: usize,
    },
    /// List migrations and whether each is applied.
    Status,
    /// Create an empty up/down pair in ./migrations.
    New {
        /// lowercase_with_underscores
        name: String,
        #[arg(long, default_value = "migrations")]
        dir: PathBuf,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve { migrate: false });
    if let Command::Openapi = command {
        print!("{}", reviewpoint::api::spec());
        return ExitCode::SUCCESS;
    }
    // A missing .env is normal; real environment variables take precedence.
    let _ = dotenvy::dotenv();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config);
    reviewpoint::auth::when_hashing_idle(return_freed_memory);
    let result = match command {
        Command::Serve { migrate } => startup::serve(config, migrate).await.map_err(|e| with_causes(&e)),
        Command::Migrate(command) => run_migrate(&config, command).await.map_err(|e| with_causes(&e)),
        #[cfg(feature = "dev-services")]
        Command::DevDb(command) => run_dev_db(&config, command).await.map_err(|e| with_causes(&e)),
        Command::Openapi => unreachable!("handled above"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(feature = "dev-services")]
async fn run_dev_db(config: &Config, command: DevDbCommand) -> Result<(), reviewpoint::dev_services::DevServicesError> {
    use reviewpoint::dev_services;
    let name = dev_services::container_name(config);
    let (done, verb) = match command {
        DevDbCommand::Stop => (dev_services::stop(config).await?, "stopped"),
        DevDbCommand::Rm => (dev_services::remove(config).await?, "removed"),
    };
    if done {
        println!("{verb} {name}");
    } else {
        println!("no container {name}");
    }
    Ok(())
}

/// The error and each cause below it, `: `-separated: what was wrong (a
/// refused certificate, say) is often only in a cause.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.contains(&said) {
            text = format!("{text}: {said}");
        }
        source = cause.source();
    }
    text
}

async fn run_migrate(config: &Config, command: MigrateCommand) -> Result<(), migrate::MigrateError> {
    if let MigrateCommand::New { name, dir } = command {
        let folder = migrate::new_migration(&dir, &name)?;
        println!("created {}", folder.display());
        return Ok(());
    }
    let mut client = db::connect_once(&config.database).await?;
    let migrator = Migrator::embedded();
    match command {
        MigrateCommand::Up => {
            let applied = migrator.up(&mut client).await?;
            println!("applied {} migration(s)", applied.len());
            applied.iter().for_each(|m| println!("  up   {m}"));
        }
        MigrateCommand::Down { steps } => {
            let reverted = migrator.down(&mut client, steps).await?;
            println!("reverted {} migration(s)", reverted.len());
            reverted.iter().for_each(|m| println!("  down {m}"));
        }
        MigrateCommand::Status => {
            for status in migrator.status(&mut client).await? {
                let state = match status.applied_at {
                    Some(at) => format!("applied {}", at.to_rfc3339()),
                    None => "pending".to_owned(),
                };
                println!("{}_{}  {state}", status.version, status.name);
            }
        }
        MigrateCommand::New { .. } => unreachable!("handled above"),
    }
    Ok(())
}
