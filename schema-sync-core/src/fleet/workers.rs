//! The worker pool of a fleet run: `jobs` OS threads for SQLite files, results streamed back
//! over a channel in the order they finish, and a stop flag raised when the run is cancelled.

use super::TargetReport;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// Raises the stop flag when dropped: a run whose future is dropped (Ctrl-C in the CLI, a
/// cancelled request in a service) lets each worker finish the target it is on — one
/// transaction, committed or rolled back whole — and start no other.
pub(super) struct StopOnDrop(pub Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Runs `work` on every item on up to `jobs` threads; each result is sent to `tx` when done.
/// Returns at once; the channel closes when the last worker ends.
pub(super) fn threads<T, F>(
    items: Vec<T>,
    jobs: usize,
    stop: Arc<AtomicBool>,
    tx: &UnboundedSender<TargetReport>,
    work: F,
) where
    T: Send + Sync + 'static,
    F: Fn(&T) -> TargetReport + Send + Sync + 'static,
{
    let items = Arc::new(items);
    let next = Arc::new(AtomicUsize::new(0));
    let work = Arc::new(work);
    for _ in 0..jobs.clamp(1, items.len().max(1)) {
        let (items, next, work, stop, tx) = (items.clone(), next.clone(), work.clone(), stop.clone(), tx.clone());
        std::thread::spawn(move || loop {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let i = next.fetch_add(1, Ordering::SeqCst);
            let Some(item) = items.get(i) else { break };
            if tx.send(work(item)).is_err() {
                break;
            }
        });
    }
}
