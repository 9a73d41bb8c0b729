//! The one engine for bulk work (users to create, users to delete): items run concurrently up
//! to a bound, each ends in one outcome of a fixed set or in an error that never stops the
//! others, and progress is reported as they finish. Pacing against Cognito's quotas is the
//! items' own business (`pacing::Pacer`), shared by all of them.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::error::{SeedError, SeedResult};

/// How one item ended, when it did not fail: an index into the run's outcome names.
pub trait Outcome: Copy + Send + 'static {
    fn index(self) -> usize;
}

/// Where a run stands: `counts` holds each outcome's count (names as given to [`run`]), then
/// `failed`.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub what: &'static str,
    pub total: usize,
    pub done: usize,
    pub counts: Vec<(&'static str, usize)>,
    pub elapsed: Duration,
}

impl Progress {
    pub fn count(&self, name: &str) -> usize {
        self.counts.iter().find(|(n, _)| *n == name).map(|(_, c)| *c).unwrap_or(0)
    }

    /// One line: `users 120/1000 (created 100, existing 20, failed 0), 24.8/s, about 35 s left`.
    pub fn line(&self) -> String {
        let counts: Vec<String> = self.counts.iter().map(|(name, count)| format!("{name} {count}")).collect();
        let seconds = self.elapsed.as_secs_f64();
        let rate = if seconds > 0.0 { self.done as f64 / seconds } else { 0.0 };
        let mut line = format!("{} {}/{} ({}), {:.1}/s", self.what, self.done, self.total, counts.join(", "), rate);
        if self.done < self.total && rate > 0.0 {
            let left = (self.total - self.done) as f64 / rate;
            line.push_str(&format!(", about {} s left", left.ceil() as u64));
        } else if self.done == self.total {
            line.push_str(&format!(" in {seconds:.1} s"));
        }
        line
    }
}

/// Told of the run's progress: `update` as items finish (at most every [`UPDATE_EVERY`]),
/// `finish` once at the end.
pub trait ProgressSink: Send + Sync {
    fn update(&self, progress: &Progress);
    fn finish(&self, progress: &Progress);
}

pub const UPDATE_EVERY: Duration = Duration::from_millis(100);

/// No progress at all (`progress: false`).
pub struct Silent;

impl ProgressSink for Silent {
    fn update(&self, _: &Progress) {}
    fn finish(&self, _: &Progress) {}
}

/// The default: a live line on a terminal's standard error, else one summary line at the end.
pub struct StandardError {
    live: bool,
}

impl StandardError {
    pub fn new() -> StandardError {
        StandardError { live: std::io::stderr().is_terminal() }
    }
}

impl Default for StandardError {
    fn default() -> Self {
        StandardError::new()
    }
}

impl ProgressSink for StandardError {
    fn update(&self, progress: &Progress) {
        if self.live {
            // \r and "erase to end of line": the line is redrawn in place.
            let _ = write!(std::io::stderr(), "\r{}\x1b[K", progress.line());
        }
    }

    fn finish(&self, progress: &Progress) {
        let line = progress.line();
        let _ = if self.live { writeln!(std::io::stderr(), "\r{line}\x1b[K") } else { writeln!(std::io::stderr(), "{line}") };
    }
}

struct Tally {
    progress: Progress,
    last_update: Option<Instant>,
}

/// Runs `work` on every item, at most `concurrency` at a time, and returns each item's result
/// in the items' order. `outcomes` names what `O::index` points to.
pub async fn run<T, O, F, Fut>(
    what: &'static str,
    items: Vec<T>,
    concurrency: usize,
    outcomes: &'static [&'static str],
    sink: Arc<dyn ProgressSink>,
    work: F,
) -> Vec<SeedResult<O>>
where
    T: Send + 'static,
    O: Outcome,
    F: Fn(T) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = SeedResult<O>> + Send + 'static,
{
    let started = Instant::now();
    let total = items.len();
    let mut counts: Vec<(&'static str, usize)> = outcomes.iter().map(|name| (*name, 0)).collect();
    counts.push(("failed", 0));
    let tally = Arc::new(Mutex::new(Tally {
        progress: Progress { what, total, done: 0, counts, elapsed: Duration::ZERO },
        last_update: None,
    }));
    let record = |result: &SeedResult<O>| {
        let mut tally = tally.lock().unwrap_or_else(|p| p.into_inner());
        let slot = match result {
            Ok(outcome) => outcome.index(),
            Err(_) => outcomes.len(),
        };
        tally.progress.counts[slot].1 += 1;
        tally.progress.done += 1;
        tally.progress.elapsed = started.elapsed();
        let due = tally.last_update.is_none_or(|at| at.elapsed() >= UPDATE_EVERY);
        if due && tally.progress.done < total {
            tally.last_update = Some(Instant::now());
            sink.update(&tally.progress);
        }
    };

    let mut results: Vec<Option<SeedResult<O>>> = (0..total).map(|_| None).collect();
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut running = JoinSet::new();
    for (index, item) in items.into_iter().enumerate() {
        let permit = permits.clone().acquire_owned().await.expect("the semaphore is never closed");
        while let Some(finished) = running.try_join_next() {
            let (at, result) = joined(finished);
            record(&result);
            results[at] = Some(result);
        }
        let work = work.clone();
        running.spawn(async move {
            let result = work(item).await;
            drop(permit);
            (index, result)
        });
    }
    while let Some(finished) = running.join_next().await {
        let (at, result) = joined(finished);
        record(&result);
        results[at] = Some(result);
    }
    let mut tally = tally.lock().unwrap_or_else(|p| p.into_inner());
    tally.progress.elapsed = started.elapsed();
    sink.finish(&tally.progress);
    results.into_iter().map(|r| r.unwrap_or_else(|| Err(SeedError::bug("a bulk item never finished")))).collect()
}

/// A task that panicked is our bug, reported for its item instead of taking the run down.
fn joined<O>(finished: Result<(usize, SeedResult<O>), tokio::task::JoinError>) -> (usize, SeedResult<O>) {
    match finished {
        Ok(done) => done,
        // The index is lost with the task; the caller fills unfinished slots with this error.
        Err(error) => (usize::MAX, Err(SeedError::bug(format!("a bulk task failed: {error}")))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Made {
        Created,
        Existing,
    }

    impl Outcome for Made {
        fn index(self) -> usize {
            self as usize
        }
    }

    struct Recorded(Mutex<Vec<Progress>>);

    impl ProgressSink for Recorded {
        fn update(&self, progress: &Progress) {
            self.0.lock().unwrap().push(progress.clone());
        }
        fn finish(&self, progress: &Progress) {
            self.0.lock().unwrap().push(progress.clone());
        }
    }

    #[test]
    fn items_run_bounded_and_results_keep_their_order() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        let sink = Arc::new(Recorded(Mutex::new(vec![])));
        let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let results = runtime.block_on(run("users", (0..50).collect::<Vec<u32>>(), 4, &["created", "existing"], sink.clone(), {
            let (running, most) = (running.clone(), most.clone());
            move |i: u32| {
                let (running, most) = (running.clone(), most.clone());
                async move {
                    let now = running.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                    most.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(u64::from(i % 3))).await;
                    running.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    match i % 5 {
                        0 => Err(SeedError::invalid_argument(format!("item {i}"))),
                        1 => Ok(Made::Existing),
                        _ => Ok(Made::Created),
                    }
                }
            }
        }));
        assert!(most.load(std::sync::atomic::Ordering::SeqCst) <= 4);
        assert_eq!(results.len(), 50);
        for (i, result) in results.iter().enumerate() {
            match i % 5 {
                0 => assert!(result.as_ref().unwrap_err().message.contains(&format!("item {i}"))),
                1 => assert_eq!(*result.as_ref().unwrap(), Made::Existing),
                _ => assert_eq!(*result.as_ref().unwrap(), Made::Created),
            }
        }
        let last = sink.0.lock().unwrap().last().unwrap().clone();
        assert_eq!((last.total, last.done), (50, 50));
        assert_eq!(last.counts, vec![("created", 30), ("existing", 10), ("failed", 10)]);
    }

    #[test]
    fn the_line_says_counts_rate_and_time_left() {
        let progress = Progress {
            what: "users",
            total: 1000,
            done: 250,
            counts: vec![("created", 200), ("existing", 50), ("failed", 0)],
            elapsed: Duration::from_secs(10),
        };
        assert_eq!(progress.line(), "users 250/1000 (created 200, existing 50, failed 0), 25.0/s, about 30 s left");
        let done = Progress { done: 1000, elapsed: Duration::from_secs(40), ..progress };
        assert_eq!(done.line(), "users 1000/1000 (created 200, existing 50, failed 0), 25.0/s in 40.0 s");
        assert_eq!(done.count("existing"), 50);
    }
}
