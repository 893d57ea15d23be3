import Dispatch
import Synchronization

/// Runs `body(worker, item)` once for every item in `0..<count` on `threads` workers (worker indices
/// `0..<threads`). A worker takes the next unclaimed item whenever it finishes one, so items of uneven cost (a
/// short last chunk, boundary chunks with one stream instead of four) do not leave a thread idle.
///
/// Which worker runs an item varies from run to run: callers keep results independent of it (each item writes its
/// own output slot; a worker's scratch buffers are indexed by `worker`), which keeps them bit-identical for any
/// thread count.
func forEachItemInParallel(count: Int, threads: Int, _ body: @Sendable (_ worker: Int, _ item: Int) -> Void) {
    if threads <= 1 || count <= 1 {
        for item in 0..<count { body(0, item) }
        return
    }
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: min(threads, count)) { worker in
        while true {
            let item = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard item < count else { return }
            body(worker, item)
        }
    }
}
