//! The benchmark's table, for the terminal and for xtask/bench/results.md.

use std::{fmt::Write, time::Duration};

use super::{QueryLayer, Results, load::Run};

const MIB: f64 = 1024.0 * 1024.0;

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

fn micros(duration: Duration) -> String {
    format!("{:.1} µs", duration.as_secs_f64() * 1e6)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / MIB)
}

fn percent(ratio: f64) -> String {
    format!("{:.0} %", ratio * 100.0)
}

fn per_second(rate: f64) -> String {
    format!("{rate:.0}")
}

fn row(table: &mut String, name: &str, run: &Run, ceiling: Option<f64>, peak_rss: Option<u64>) {
    let _ = writeln!(
        table,
        "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
        per_second(run.per_second),
        ms(run.p50),
        ms(run.p99),
        ms(run.p999),
        run.unexpected,
        run.socket_errors,
        ceiling.map_or("–".into(), |ceiling| percent(run.per_second / ceiling)),
        peak_rss.map_or("–".into(), mib),
    );
}

/// The floors for the loads measured against a ceiling.
const SHARE_TARGETS: [(&str, f64); 4] = [
    ("B1 GET /api/v1/health", 0.90),
    ("B2 GET /api/v1/users/{id}", 0.85),
    ("B3 GET /api/v1/files?limit=20", 0.60),
    ("B4 POST /api/v1/files", 0.70),
];

/// Where each request's CPU time goes. With the cores about as busy as they
/// are now, reaching a floor means a request may cost at most cores busy ÷
/// (floor × ceiling rate) in all; less what PostgreSQL and the load
/// generator take, that is the server's budget.
fn cpu_table(out: &mut String, results: &Results) {
    let micros = |time: Duration| format!("{:.0}", time.as_secs_f64() * 1e6);
    out.push_str(
        "\nCPU time per request, in µs (from /proc; PostgreSQL: every `postgres` process here; load \
         generator: wrk for the service, pgbench for a ceiling); cores busy = total × rate; the server's \
         budget is what its floor leaves the server per request with the cores as busy as they were:\n\n\
         | work | server | PostgreSQL | load generator | total | cores busy | server budget for the floor |\n\
         |---|---|---|---|---|---|---|\n",
    );
    let ceilings = [
        ("ceiling: pgbench -S (single-row read)", &results.read_ceiling),
        ("ceiling: pgbench, the files INSERT", &results.write_ceiling),
    ];
    for (name, ceiling) in ceilings {
        let cpu = &ceiling.cpu;
        let busy = cpu.total().as_secs_f64() * ceiling.per_second;
        let _ = writeln!(
            out,
            "| {name} | – | {} | {} | {} | {busy:.2} | – |",
            micros(cpu.postgres),
            micros(cpu.client),
            micros(cpu.total())
        );
    }
    for (name, floor) in SHARE_TARGETS {
        let Some(load) = results.load(name) else { continue };
        let Some(ceiling) = &load.ceiling else { continue };
        let cpu = &load.cpu;
        let busy = cpu.total().as_secs_f64() * load.run.per_second;
        let allowed = busy / (floor * ceiling.per_second) - (cpu.postgres + cpu.client).as_secs_f64();
        let budget =
            if allowed > 0.0 { format!("{:.0} (floor {})", allowed * 1e6, percent(floor)) } else { "none".into() };
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {busy:.2} | {budget} |",
            micros(cpu.server),
            micros(cpu.postgres),
            micros(cpu.client),
            micros(cpu.total())
        );
    }
}

/// The loads, then each target of the issue next to what was measured.
pub fn render(results: &Results, query_layer: Option<&QueryLayer>) -> String {
    let mut out = String::new();
    let read = &results.read_ceiling;
    let write = &results.write_ceiling;
    let _ = writeln!(
        out,
        "PostgreSQL's ceilings (pgbench -M prepared -c 32, over TCP): single-row read (-S) {} tps, \
         avg {}; the service's files INSERT {} tps, avg {}; failed transactions {}.\n",
        per_second(read.per_second),
        ms(read.latency_average),
        per_second(write.per_second),
        ms(write.latency_average),
        read.failed + write.failed,
    );
    out.push_str("| load (32 connections) | req/s | p50 | p99 | p99.9 | failed | socket errors | share of ceiling | peak RSS |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for load in &results.loads {
        row(&mut out, load.name, &load.run, load.ceiling.map(|ceiling| ceiling.per_second), Some(load.peak_rss));
    }
    let growth = &results.growth;
    let with_rows =
        |name: &str| format!("{name} ({} files, {} of them the caller's)", growth.rows, growth.caller_files);
    row(&mut out, &with_rows("B2 at scale"), &growth.lookup, None, None);
    row(&mut out, &with_rows("B3 at scale, first page"), &growth.first_page, None, None);
    row(
        &mut out,
        &with_rows(&format!("B3 at scale, page at file {}", growth.deep_position)),
        &growth.deep_page,
        None,
        None,
    );
    row(&mut out, "B2 while B5 saturates logins", &results.reads_during_logins, None, None);
    row(&mut out, "B5 beside those reads", &results.logins_beside_reads, None, None);
    row(
        &mut out,
        "login, known email, wrong password (1 connection, beside the next)",
        &results.login_known,
        None,
        None,
    );
    row(&mut out, "login, unknown email (1 connection, beside the previous)", &results.login_unknown, None, None);
    row(&mut out, "password reset, known email (1 connection, beside the next)", &results.reset_known, None, None);
    row(
        &mut out,
        "password reset, unknown email (1 connection, beside the previous)",
        &results.reset_unknown,
        None,
        None,
    );
    let storm = &results.storm;
    row(
        &mut out,
        &format!("login storm, {} connections, wrong password", storm.connections),
        &storm.run,
        None,
        Some(storm.peak_rss),
    );

    cpu_table(&mut out, results);

    if let Some(layer) = query_layer {
        let _ = writeln!(
            out,
            "\nQuery layer (criterion, one pooled connection, median per call): cornucopia's generated \
             `caller_in_session` {}, the same statement by hand with `prepare_cached` {}, prepared on \
             every call {} (statement caching saves {}).",
            micros(layer.cornucopia),
            micros(layer.prepare_cached),
            micros(layer.uncached),
            micros(layer.uncached.saturating_sub(layer.prepare_cached)),
        );
    }
    out.push_str("\n| target | measured | met |\n|---|---|---|\n");
    let mut all = targets(results);
    if let Some(layer) = query_layer {
        let ratio = layer.cornucopia.as_secs_f64() / layer.prepare_cached.as_secs_f64().max(f64::EPSILON);
        all.push((
            "generated query ≤ 1.05 × hand-written `prepare_cached`".into(),
            format!("{ratio:.2} ×"),
            ratio <= 1.05,
        ));
    }
    for (target, measured, met) in all {
        let _ = writeln!(out, "| {target} | {measured} | {} |", if met { "yes" } else { "**no**" });
    }
    out
}

fn targets(results: &Results) -> Vec<(String, String, bool)> {
    let mut targets = Vec::new();
    let ceiling_share = |name: &'static str, floor: f64| {
        results.load(name).and_then(|load| Some((load.run.per_second / load.ceiling?.per_second, floor, name)))
    };
    for (share, floor, name) in SHARE_TARGETS.into_iter().filter_map(|(name, floor)| ceiling_share(name, floor)) {
        let short = name.split_whitespace().next().unwrap_or(name);
        targets.push((format!("{short} ≥ {} of its ceiling", percent(floor)), percent(share), share >= floor));
    }
    for load in results.loads.iter().take(4) {
        let short = load.name.split_whitespace().next().unwrap_or(load.name);
        let ratio = load.run.p99.as_secs_f64() / load.run.p50.as_secs_f64().max(f64::EPSILON);
        targets.push((format!("{short} p99 ≤ 3 × p50"), format!("{ratio:.1} ×"), ratio <= 3.0));
    }
    let failed: u64 = results.loads.iter().map(|load| load.run.unexpected + load.run.socket_errors).sum();
    targets.push(("B1-B5: no failed request, no socket error".into(), failed.to_string(), failed == 0));
    targets.push((
        "steady RSS during B1-B4 ≤ 32 MiB".into(),
        mib(results.steady_rss),
        results.steady_rss as f64 <= 32.0 * MIB,
    ));
    let storm = &results.storm;
    targets.push((
        "login storm: peak RSS ≤ 96 MiB".into(),
        format!("{} (from {})", mib(storm.peak_rss), mib(storm.rss_before)),
        storm.peak_rss as f64 <= 96.0 * MIB,
    ));
    targets.push((
        "after the storm: under 40 MiB within 10 s".into(),
        match storm.back_under_40_mib {
            Some(after) => format!("{} after {:.1} s", mib(storm.rss_after), after.as_secs_f64()),
            None => format!("{} after 10 s", mib(storm.rss_after)),
        },
        storm.back_under_40_mib.is_some(),
    ));
    let unloaded = results.load("B2 GET /api/v1/users/{id}").map(|load| load.run.p99).unwrap_or_default();
    let loaded = results.reads_during_logins.p99;
    targets.push((
        "B2 p99 while B5 saturates ≤ 2 × unloaded".into(),
        format!("{} vs {}", ms(loaded), ms(unloaded)),
        loaded.as_secs_f64() <= 2.0 * unloaded.as_secs_f64(),
    ));
    let cores = results
        .facts
        .iter()
        .find(|(name, _)| *name == "cores")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(1.0);
    let logins = results.load("B5 POST /api/v1/auth/login").map_or(0.0, |load| load.run.per_second) / cores;
    targets.push(("logins ≥ 25 per second per core".into(), format!("{logins:.1}"), logins >= 25.0));
    for (what, known, unknown) in [
        ("login", &results.login_known, &results.login_unknown),
        ("password reset", &results.reset_known, &results.reset_unknown),
    ] {
        let (fast, slow) = (known.p50.as_secs_f64(), unknown.p50.as_secs_f64());
        let gap = (fast - slow).abs() / fast.max(slow).max(f64::EPSILON);
        targets.push((
            format!("no enumeration by timing ({what}): p50 of known vs unknown email within 10 %"),
            format!("{} vs {} ({})", ms(known.p50), ms(unknown.p50), percent(gap)),
            gap <= 0.10,
        ));
    }
    targets.push((
        "cold start to first healthy answer ≤ 250 ms".into(),
        ms(results.start),
        results.start <= Duration::from_millis(250),
    ));
    let growth = &results.growth;
    for (name, small, large) in [
        ("B2", "B2 GET /api/v1/users/{id}", growth.lookup.p50),
        ("B3", "B3 GET /api/v1/files?limit=20", growth.first_page.p50),
    ] {
        let small = results.load(small).map(|load| load.run.p50).unwrap_or_default();
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(f64::EPSILON);
        targets.push((
            format!("{name} p50 at {} rows ≤ 1.5 × small table", growth.rows),
            format!("{} vs {} ({ratio:.2} ×)", ms(large), ms(small)),
            ratio <= 1.5,
        ));
    }
    let ratio = growth.deep_page.p50.as_secs_f64() / growth.first_page.p50.as_secs_f64().max(f64::EPSILON);
    targets.push((
        "a deep page costs what the first page costs (≤ 1.2 ×)".into(),
        format!("{} vs {} ({ratio:.2} ×)", ms(growth.deep_page.p50), ms(growth.first_page.p50)),
        ratio <= 1.2,
    ));
    targets
}

/// xtask/bench/results.md: the machine, the plan, and the table.
pub fn document(results: &Results, table: &str, plan: &str) -> String {
    let mut out = String::from(
        "# Benchmark results\n\nWritten by `cargo xtask bench` (see README, \"Performance\"); \
         rerun it rather than editing this file.\n\n",
    );
    for (name, value) in &results.facts {
        let _ = writeln!(out, "- {name}: {value}");
    }
    let _ = writeln!(out, "- plan: {plan}");
    let _ = writeln!(
        out,
        "- server: the production build (release, no dev services), production settings (login and reset limits raised for the wrong-password and reset loads)\n"
    );
    out.push_str(table);
    out
}
