//! CPU time per request, from /proc, to explain a share of a ceiling: when a
//! load saturates the machine's cores, its rate is about cores ÷ the CPU time
//! one request costs everything on the machine, so the server's share of
//! PostgreSQL's ceiling is at most the ceiling's cost per transaction ÷ the
//! load's cost per request.

use std::{ops::Sub, time::Duration};

use crate::AnyError;

/// Linux reports process times in USER_HZ ticks, 100 per second on every
/// architecture it runs on (reading it needs sysconf, so libc, for nothing).
const TICKS_PER_SECOND: u64 = 100;

/// CPU time used so far by the server, by PostgreSQL (every `postgres`
/// process on this machine, with the backends it has already reaped) and by
/// the load generators this process has waited for (wrk, pgbench).
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuTimes {
    pub server: Duration,
    pub postgres: Duration,
    pub client: Duration,
}

impl CpuTimes {
    pub fn now(server: Option<u32>) -> Result<Self, AnyError> {
        let server = match server {
            Some(pid) => own(&stat(&pid.to_string())?),
            None => Duration::ZERO,
        };
        let mut postgres = Duration::ZERO;
        for entry in std::fs::read_dir("/proc")? {
            let name = entry?.file_name();
            let Some(pid) = name.to_str().filter(|name| name.bytes().all(|byte| byte.is_ascii_digit())) else {
                continue;
            };
            // A process may end between listing and reading: skip it.
            if let Ok(fields) = stat(pid)
                && fields.command == "postgres"
            {
                postgres += own(&fields) + reaped(&fields);
            }
        }
        Ok(Self { server, postgres, client: reaped(&stat("self")?) })
    }

    /// Each time divided by `count` requests.
    pub fn per(self, count: f64) -> Self {
        let per = |time: Duration| Duration::from_secs_f64(time.as_secs_f64() / count.max(1.0));
        Self { server: per(self.server), postgres: per(self.postgres), client: per(self.client) }
    }

    pub fn total(&self) -> Duration {
        self.server + self.postgres + self.client
    }
}

impl Sub for CpuTimes {
    type Output = Self;

    fn sub(self, earlier: Self) -> Self {
        Self {
            server: self.server.saturating_sub(earlier.server),
            postgres: self.postgres.saturating_sub(earlier.postgres),
            client: self.client.saturating_sub(earlier.client),
        }
    }
}

struct Stat {
    command: String,
    /// utime, stime, cutime, cstime, in ticks.
    times: [u64; 4],
}

fn stat(pid: &str) -> Result<Stat, AnyError> {
    parse(&std::fs::read_to_string(format!("/proc/{pid}/stat"))?)
}

/// `pid (comm) state ppid …`: comm may hold spaces and parentheses, so the
/// fields are counted from the last `)`; utime is the 14th field overall.
fn parse(line: &str) -> Result<Stat, AnyError> {
    let (head, rest) = line.rsplit_once(')').ok_or("no command in /proc stat")?;
    let command = head.split_once('(').map(|(_, command)| command.to_owned()).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field =
        |index: usize| -> Result<u64, AnyError> { Ok(fields.get(index).ok_or("a short /proc stat line")?.parse()?) };
    Ok(Stat { command, times: [field(11)?, field(12)?, field(13)?, field(14)?] })
}

fn ticks(count: u64) -> Duration {
    Duration::from_millis(count * 1000 / TICKS_PER_SECOND)
}

fn own(stat: &Stat) -> Duration {
    ticks(stat.times[0] + stat.times[1])
}

fn reaped(stat: &Stat) -> Duration {
    ticks(stat.times[2] + stat.times[3])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_times_after_a_command_with_spaces_and_parentheses() {
        let line = "4242 (post (gres) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 1 0 100 0 0";

        let stat = parse(line).expect("parsed");

        assert_eq!(stat.command, "post (gres) x");
        assert_eq!(own(&stat), Duration::from_secs(3));
        assert_eq!(reaped(&stat), Duration::from_millis(100));
    }

    #[test]
    fn this_process_has_a_readable_line() {
        assert!(CpuTimes::now(Some(std::process::id())).is_ok());
    }
}
