//! The ingest lease: one ingest at a time into a ClickHouse database. The
//! sink ([`super::sink`]) removes the rows of an interrupted commit when it
//! opens, which would delete the rows another running ingest has sent but
//! not yet committed; so a sink first takes the lease, and a second ingest
//! is refused with a message naming the first.
//!
//! ClickHouse has no compare-and-set, so the lease is a claim row and a
//! re-read: an ingest inserts its claim (owner, the server's time), then
//! reads every live claim; if another is live, it withdraws its own and
//! refuses. Of two ingests racing, the one that reads second sees the
//! first's claim (each inserts before it reads), so two never both go on
//! (at worst both refuse, and the user runs one again). A claim stays live
//! while its owner writes a heartbeat every [`HEARTBEAT`]; it is dead after
//! [`EXPIRES`] without one, or at once when its owner was a process on
//! this machine that no longer exists (a `kill -9`, then a resume).

use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::Deserialize;

use super::client::{Bind, Client};
use crate::Result;

/// How often a running ingest says it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(5);
/// A claim without a heartbeat for this long is dead.
pub const EXPIRES: Duration = Duration::from_secs(30);

/// The lease table, created where the checkpoints are (the first node).
pub const TABLE: &str = "CREATE TABLE IF NOT EXISTS ingest_lock \
     (owner String, host String, pid UInt32, beat UInt64, released UInt8) \
     ENGINE = MergeTree ORDER BY (owner, beat)";

/// A live claim, as read back.
#[derive(Debug, Deserialize)]
struct Claim {
    owner: String,
    host: String,
    pid: u32,
    age: u64,
}

/// The lease this process holds; released when dropped.
pub struct Lease {
    client: Client,
    owner: String,
    stop: Option<Sender<()>>,
    beating: Option<JoinHandle<()>>,
}

impl Lease {
    /// Takes the lease on `client`'s database, or says who holds it.
    pub fn take(client: &Client) -> Result<Lease> {
        client.execute(TABLE, true)?;
        let host = this_host();
        let pid = std::process::id();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let owner = format!("{host}:{pid}:{nanos:09}");
        let mut lease = Lease {
            client: client.clone(),
            owner,
            stop: None,
            beating: None,
        };
        beat(client, &lease.owner, &host, pid, 0)?;
        if let Some(other) = lease.other_live_claim(&host)? {
            // Dropping the lease withdraws our claim.
            return Err(client.error(format!(
                "another errtriage ingest (pid {} on {}, alive {} s ago) is writing to database `{}`: \
                 wait for it to finish; a claim left by a process that died expires {} s after its last heartbeat",
                other.pid,
                crate::sanitize::escape(&other.host),
                other.age,
                client.database,
                EXPIRES.as_secs()
            )));
        }
        lease.start_heartbeat(host, pid);
        Ok(lease)
    }

    /// A live claim other than ours, if any.
    fn other_live_claim(&self, host: &str) -> Result<Option<Claim>> {
        let claims: Vec<Claim> = self.client.rows(
            &format!(
                "SELECT owner, any(host) AS host, any(pid) AS pid, \
                 toUInt64(toUInt64(now()) - max(beat)) AS age FROM ingest_lock \
                 GROUP BY owner HAVING max(released) = 0 AND age < {}",
                EXPIRES.as_secs()
            ),
            &Bind::new(),
        )?;
        Ok(claims
            .into_iter()
            .filter(|c| c.owner != self.owner)
            .find(|c| c.host != host || process_exists(c.pid)))
    }

    fn start_heartbeat(&mut self, host: String, pid: u32) {
        let (tx, rx) = channel::<()>();
        let (client, owner) = (self.client.clone(), self.owner.clone());
        self.stop = Some(tx);
        self.beating = Some(std::thread::spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(HEARTBEAT) {
                // A missed beat is retried at the next; the claim only
                // expires after several.
                let _ = beat(&client, &owner, &host, pid, 0);
            }
        }));
    }
}

impl Drop for Lease {
    /// Stops the heartbeat and withdraws the claim (best effort: a claim
    /// that cannot be withdrawn expires).
    fn drop(&mut self) {
        self.stop = None;
        if let Some(t) = self.beating.take() {
            let _ = t.join();
        }
        let _ = beat(
            &self.client,
            &self.owner,
            &this_host(),
            std::process::id(),
            1,
        );
    }
}

/// Writes one claim row, stamped with the server's clock (the same clock
/// every ingest's claim is read against).
fn beat(client: &Client, owner: &str, host: &str, pid: u32, released: u8) -> Result<()> {
    client.execute_bound(
        &format!(
            "INSERT INTO ingest_lock SELECT (SELECT v FROM p_owner), (SELECT v FROM p_host), \
             {pid}, toUInt64(now()), {released}"
        ),
        &Bind::new().string("owner", owner).string("host", host),
    )
}

/// This machine's name, as claims record it.
fn this_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown-host".into())
}

/// Whether process `pid` runs on this machine; where that cannot be told
/// (no `/proc`), it is taken to run (the claim then expires by time).
fn process_exists(pid: u32) -> bool {
    let proc = std::path::Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}
