//! Developer tasks that need a PostgreSQL server but not the service itself.
//!
//! - `cargo xtask codegen` builds a throwaway database from `migrations/*/up.sql`,
//!   vets the nullability of every query against it, then regenerates `codegen/`.
//! - `cargo xtask vet` only runs the nullability check.
//! - `cargo xtask bench` measures the service next to PostgreSQL's own
//!   ceilings (see bench.rs).
//!
//! The server is `REVIEWPOINT_CODEGEN_DATABASE_URL` (default: the local
//! `postgresql://postgres@127.0.0.1:5432/postgres`). The throwaway database is
//! dropped afterwards, whatever happened.
//!
//! It calls the cornucopia library rather than its CLI: the CLI, run without a
//! terminal against an existing destination, prints "Aborting." and exits 0, a
//! silent no-op in CI. The library never prompts. The migrations are applied here
//! as plain files in version order, not through `reviewpoint migrate`, because
//! the service cannot compile while codegen/ is stale: this tool must not need it.

mod bench;
mod vet;

use std::{error::Error, path::Path, process::ExitCode};

use clap::{Parser, Subcommand};
use tokio::runtime::Runtime;
use tokio_postgres::{Client, Config, NoTls};

const DEFAULT_SERVER_URL: &str = "postgresql://postgres@127.0.0.1:5432/postgres";

type AnyError = Box<dyn Error + Send + Sync>;

#[derive(Parser)]
#[command(about = "Developer tasks of the ReViewPoint workspace")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Vet query nullability, then regenerate codegen/ from queries/.
    Codegen,
    /// Only vet query nullability.
    Vet,
    /// Measure the service under load next to PostgreSQL's own ceilings.
    Bench(bench::Options),
}

fn main() -> ExitCode {
    let task = Cli::parse().task;
    // Every path (cornucopia.toml, queries/, migrations/) is relative to the workspace root.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    if let Err(error) = std::env::set_current_dir(&root) {
        eprintln!("cannot enter the workspace root {}: {error}", root.display());
        return ExitCode::FAILURE;
    }
    let (name, outcome) = match task {
        Task::Codegen => ("codegen", run(true)),
        Task::Vet => ("vet", run(false)),
        Task::Bench(options) => ("bench", bench::run(options)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The driver's Display is only "db error"; its source says what.
            let mut message = error.to_string();
            let mut source = error.source();
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("xtask {name} failed: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(generate: bool) -> Result<(), AnyError> {
    let runtime = Runtime::new()?;
    let server_url =
        std::env::var("REVIEWPOINT_CODEGEN_DATABASE_URL").unwrap_or_else(|_| DEFAULT_SERVER_URL.to_owned());
    let server: Config = server_url.parse()?;
    let admin = connect(&runtime, &server)?;
    let scratch = format!("reviewpoint_codegen_{}", std::process::id());
    runtime.block_on(admin.batch_execute(&format!("CREATE DATABASE {scratch}")))?;

    let result = (|| {
        let client = connect(&runtime, server.clone().dbname(&scratch))?;
        apply_migrations(&runtime, &client)?;
        let queries = vet::read_queries(Path::new("queries"))?;
        let problems = runtime.block_on(vet::vet(&client, &queries))?;
        if !problems.is_empty() {
            for problem in &problems {
                eprintln!("{problem}");
            }
            return Err(format!("{} unannotated nullable column(s)", problems.len()).into());
        }
        println!("vet: {} queries, every nullable column annotated", queries.len());
        if generate {
            let config = cornucopia::config::Config::from_file("cornucopia.toml")?;
            cornucopia::gen_live(&client, config).map_err(|error| format!("{:?}", miette::Report::new(error)))?;
            println!("codegen: regenerated codegen/ from queries/");
        }
        Ok(())
    })();

    let dropped = runtime.block_on(admin.batch_execute(&format!("DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")));
    result.and(dropped.map_err(Into::into))
}

fn connect(runtime: &Runtime, config: &Config) -> Result<Client, AnyError> {
    let (client, connection) = runtime.block_on(config.connect(NoTls))?;
    runtime.spawn(connection);
    Ok(client)
}

/// Applies every `migrations/<version>_<name>/up.sql` in version order.
fn apply_migrations(runtime: &Runtime, client: &Client) -> Result<(), AnyError> {
    let mut dirs: Vec<_> =
        std::fs::read_dir("migrations")?.map(|entry| entry.map(|entry| entry.path())).collect::<Result<_, _>>()?;
    dirs.sort();
    for dir in dirs.iter().filter(|dir| dir.is_dir()) {
        let sql = std::fs::read_to_string(dir.join("up.sql"))?;
        runtime.block_on(client.batch_execute(&sql)).map_err(|error| format!("{}: {error}", dir.display()))?;
    }
    Ok(())
}
