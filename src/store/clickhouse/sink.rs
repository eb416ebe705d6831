//! Exactly-once ingest into ClickHouse: the sink ingest hands normalized
//! events to, in place of the local index writer.
//!
//! ClickHouse has no transaction that covers rows and a checkpoint, so the
//! two are tied by a batch id. Every commit has a sequence number `seq`; the
//! rows sent for it carry `batch = seq`, and the commit ends by writing the
//! checkpoint (file identity → offset, the same [`Checkpoint`] the local
//! index keeps) under that `seq`. A commit is done when its checkpoint row
//! exists. When a sink opens, rows of a batch whose checkpoint was never
//! written (a `kill -9` between the two) are deleted before anything is
//! sent, so the re-read of those bytes cannot duplicate them, and nothing
//! committed is lost. Rows go in large gzipped inserts, sent by a thread
//! while the next batch is being parsed.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::ClickHouse;
use super::client::{Bind, Client};
use super::lock::Lease;
use crate::ingest::checkpoint::Checkpoint;
use crate::model::Event;
use crate::{Error, Result};

/// Rows per insert: ClickHouse wants few large inserts.
pub const BATCH_ROWS: usize = 100_000;
/// Or this many bytes of rows (before compression), whichever comes first.
pub const BATCH_BYTES: usize = 16 << 20;

/// How many of the newest checkpoints survive a pruning.
const KEEP_CHECKPOINTS: u64 = 4;
/// Prune the checkpoints table every this many commits.
const PRUNE_EVERY: u64 = 8;

/// Writes events and checkpoints into a ClickHouse store.
pub struct ClickHouseSink {
    client: Client,
    nodes: Vec<Client>,
    events_local: String,
    /// What is committed, plus what was added since (ingest updates it).
    pub checkpoint: Checkpoint,
    /// The sequence number of the commit being built.
    seq: u64,
    buffer: Vec<u8>,
    rows: usize,
    uncommitted: u64,
    sender: Option<SyncSender<Vec<u8>>>,
    worker: Option<JoinHandle<Result<()>>>,
    /// Held while the sink is open: no other ingest writes meanwhile.
    _lease: Lease,
}

impl ClickHouseSink {
    /// Opens the sink: takes the ingest lease (refused while another
    /// ingest runs), reads the last checkpoint and removes the rows of a
    /// batch that was sent but never committed.
    pub fn open(store: &ClickHouse) -> Result<ClickHouseSink> {
        // Checkpoints live on the first node: the same one whichever node
        // the URL names.
        let client = store.layout.nodes[0].clone();
        let lease = Lease::take(&client)?;
        let (committed, checkpoint) = last_checkpoint(&client)?;
        let events_local = store.layout.local("events");
        let nodes = store.layout.nodes.clone();
        remove_uncommitted(&nodes, &events_local, committed)?;
        let mut sink = ClickHouseSink {
            client,
            nodes,
            events_local,
            checkpoint,
            seq: committed + 1,
            buffer: Vec::new(),
            rows: 0,
            uncommitted: 0,
            sender: None,
            worker: None,
            _lease: lease,
        };
        sink.start_sender();
        Ok(sink)
    }

    fn start_sender(&mut self) {
        let (tx, rx) = sync_channel::<Vec<u8>>(1);
        let client = self.client.clone();
        self.sender = Some(tx);
        self.worker = Some(std::thread::spawn(move || send_batches(&client, rx)));
    }

    /// Adds one normalized event to the commit being built.
    pub fn add_one(&mut self, event: &Event) -> Result<()> {
        let row = Row::of(event, self.seq);
        serde_json::to_writer(&mut self.buffer, &row)
            .map_err(|e| self.client.error(format!("cannot encode an event: {e}")))?;
        self.buffer.push(b'\n');
        self.rows += 1;
        self.uncommitted += 1;
        if self.rows >= BATCH_ROWS || self.buffer.len() >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Events added since the last commit.
    pub fn uncommitted(&self) -> u64 {
        self.uncommitted
    }

    /// Hands the buffered rows to the sender thread.
    fn flush(&mut self) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.buffer);
        self.rows = 0;
        let sent = self.sender.as_ref().map(|s| s.send(batch).is_ok());
        if sent != Some(true) {
            return Err(self.sender_failed());
        }
        Ok(())
    }

    /// The sender's error, once it has stopped.
    fn sender_failed(&mut self) -> Error {
        self.sender = None;
        match self.worker.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => e,
            _ => self.client.error("the batch sender stopped"),
        }
    }

    /// Waits until every row sent so far is in ClickHouse.
    fn drain(&mut self) -> Result<()> {
        self.flush()?;
        self.sender = None;
        let result = match self.worker.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(self.client.error("the batch sender panicked")),
            None => Ok(()),
        };
        self.start_sender();
        result
    }

    /// Sends every event added so far without committing it (a commit
    /// does this first; rows sent but never committed are removed when the
    /// next sink opens).
    pub fn send(&mut self) -> Result<()> {
        self.drain()
    }

    /// Makes every event added so far durable together with the
    /// checkpoint: rows first, then the checkpoint row that commits them.
    pub fn commit(&mut self) -> Result<()> {
        self.drain()?;
        let row = CheckpointRow {
            seq: self.seq,
            written: chrono::Utc::now().timestamp_millis().max(0) as u64,
            checkpoint: self.checkpoint.to_payload(),
        };
        let mut line = serde_json::to_vec(&row).map_err(|e| {
            self.client
                .error(format!("cannot encode the checkpoint: {e}"))
        })?;
        line.push(b'\n');
        self.client.insert("checkpoints", &line)?;
        self.prune_checkpoints(self.seq);
        self.seq += 1;
        self.uncommitted = 0;
        Ok(())
    }

    /// Every [`PRUNE_EVERY`] commits, deletes the checkpoints older than the
    /// last [`KEEP_CHECKPOINTS`]: only the newest is ever read, and each row
    /// holds every file's marks, so a long `--follow` would otherwise grow
    /// the table by a whole checkpoint per commit. Best effort (an
    /// asynchronous mutation; a server that refuses it keeps the rows, which
    /// are harmless); `seq` is this errtriage's own counter, never log text.
    fn prune_checkpoints(&self, committed: u64) {
        if committed.is_multiple_of(PRUNE_EVERY) && committed > KEEP_CHECKPOINTS {
            let below = committed - KEEP_CHECKPOINTS;
            let sql = format!("ALTER TABLE checkpoints DELETE WHERE seq < {below}");
            let _ = self.client.execute(&sql, true);
        }
    }

    /// After a failed add or commit: forgets what was not committed (rows
    /// already sent for it are deleted) and reloads the last checkpoint.
    pub fn discard_uncommitted(&mut self) -> Result<u64> {
        let _ = self.drain();
        self.buffer.clear();
        self.rows = 0;
        let (committed, checkpoint) = last_checkpoint(&self.client)?;
        remove_uncommitted(&self.nodes, &self.events_local, committed)?;
        self.checkpoint = checkpoint;
        self.seq = committed + 1;
        Ok(std::mem::take(&mut self.uncommitted))
    }

    /// Ends the ingest: what was not committed is not sent.
    pub fn finish(mut self) -> Result<()> {
        self.sender = None;
        match self.worker.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            _ => Ok(()),
        }
    }
}

/// The sender thread: one gzipped insert per batch, in order.
fn send_batches(client: &Client, rx: Receiver<Vec<u8>>) -> Result<()> {
    for batch in rx {
        client.insert("events", &batch)?;
    }
    Ok(())
}

/// The last committed `seq` (0 for none) and its checkpoint.
pub(super) fn last_checkpoint(client: &Client) -> Result<(u64, Checkpoint)> {
    let rows: Vec<CheckpointRow> = client.rows(
        "SELECT seq, written, checkpoint FROM checkpoints ORDER BY seq DESC LIMIT 1",
        &Bind::new(),
    )?;
    match rows.into_iter().next() {
        None => Ok((0, Checkpoint::default())),
        Some(row) => {
            let cp = Checkpoint::from_payload(Some(&row.checkpoint))
                .map_err(|e| client.error(format!("the stored checkpoint cannot be read ({e})")))?;
            Ok((row.seq, cp))
        }
    }
}

/// Deletes, on every node, the rows of batches past `committed`, and waits
/// until the deletion is done (it must be before those bytes are re-sent).
fn remove_uncommitted(nodes: &[Client], events: &str, committed: u64) -> Result<()> {
    #[derive(Deserialize)]
    struct N {
        n: u64,
    }
    let bind = Bind::new().numbers("committed", [committed as i64]);
    for node in nodes {
        let orphans: Vec<N> = node.rows(
            &format!("SELECT count() AS n FROM {events} WHERE batch > (SELECT v FROM p_committed)"),
            &bind,
        )?;
        if orphans.first().is_none_or(|o| o.n == 0) {
            continue;
        }
        // ALTER takes no external data: the number is formatted, not pasted
        // from input (it is our own u64).
        node.execute(
            &format!("ALTER TABLE {events} DELETE WHERE batch > {committed}"),
            true,
        )?;
        wait_for_mutations(node)?;
    }
    Ok(())
}

fn wait_for_mutations(node: &Client) -> Result<()> {
    #[derive(Deserialize)]
    struct N {
        n: u64,
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let pending: Vec<N> = node.rows(
            "SELECT count() AS n FROM system.mutations WHERE database = currentDatabase() AND is_done = 0",
            &Bind::new(),
        )?;
        if pending.first().is_none_or(|p| p.n == 0) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(node.error(
                "removing the rows of an interrupted ingest did not finish in 120 s: check system.mutations, then run ingest again",
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[derive(Serialize, Deserialize)]
struct CheckpointRow {
    seq: u64,
    written: u64,
    checkpoint: String,
}

/// One event as a row of the events table.
#[derive(Serialize)]
struct Row<'a> {
    ts: u64,
    ts_inferred: u8,
    request_id: &'a str,
    trace_id: &'a str,
    idempotency_key: &'a str,
    service: &'a str,
    method: &'a str,
    path: &'a str,
    route: &'a str,
    status: Option<u16>,
    code: &'a str,
    class: String,
    message: &'a str,
    client: &'a str,
    api: &'a str,
    format: &'a str,
    retry_after_s: Option<f64>,
    latency_ms: Option<f64>,
    source_file: &'a str,
    source_line: u64,
    source_offset: u64,
    doc: String,
    raw: &'a str,
    batch: u64,
}

impl<'a> Row<'a> {
    fn of(e: &'a Event, batch: u64) -> Row<'a> {
        let s = |o: &'a Option<String>| o.as_deref().unwrap_or("");
        Row {
            ts: e.ts.timestamp_millis().max(0) as u64,
            ts_inferred: u8::from(e.ts_inferred),
            request_id: &e.request_id,
            trace_id: s(&e.trace_id),
            idempotency_key: s(&e.idempotency_key),
            service: s(&e.service),
            method: s(&e.method),
            path: s(&e.path),
            route: s(&e.route),
            status: e.status,
            code: s(&e.code),
            class: e.class.map(|c| c.as_str().to_string()).unwrap_or_default(),
            message: s(&e.message),
            client: s(&e.client),
            api: s(&e.api),
            format: s(&e.format),
            retry_after_s: e.retry_after_s.filter(|v| v.is_finite()),
            latency_ms: e.latency_ms.filter(|v| v.is_finite()),
            source_file: &e.source.file,
            source_line: e.source.line,
            source_offset: e.source.offset,
            doc: doc_of(e),
            raw: &e.raw,
            batch,
        }
    }
}

/// The Event without its raw line, as JSON: what a query decodes back into
/// the very same Event. Its floats travel as their bits: JSON text read
/// back by serde_json can land one ulp away from the value written.
fn doc_of(e: &Event) -> String {
    let mut v = serde_json::to_value(e).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("raw");
        for (name, value) in FLOATS.iter().zip([e.latency_ms, e.retry_after_s]) {
            if let Some(x) = value {
                o.insert((*name).into(), serde_json::Value::Null);
                o.insert(format!("{name}_bits"), x.to_bits().into());
            }
        }
    }
    v.to_string()
}

/// The Event fields stored as bits in `doc`.
const FLOATS: [&str; 2] = ["latency_ms", "retry_after_s"];

/// Decodes a row's `doc` and `raw` back into the Event it was written from.
pub fn event_of(doc: &str, raw: String) -> Option<Event> {
    let mut v: serde_json::Value = serde_json::from_str(doc).ok()?;
    let o = v.as_object_mut()?;
    o.insert("raw".into(), serde_json::Value::String(raw));
    let mut bits = [None, None];
    for (slot, name) in bits.iter_mut().zip(FLOATS) {
        *slot = o
            .remove(&format!("{name}_bits"))
            .and_then(|b| b.as_u64())
            .map(f64::from_bits);
    }
    let mut event: Event = serde_json::from_value(v).ok()?;
    if let Some(x) = bits[0] {
        event.latency_ms = Some(x);
    }
    if let Some(x) = bits[1] {
        event.retry_after_s = Some(x);
    }
    Some(event)
}
