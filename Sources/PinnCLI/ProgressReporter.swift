import Dispatch
import Foundation
import PINN

/// Progress on standard error: a live bar on a terminal, a plain line every few seconds otherwise, nothing when
/// quiet. Also relays Ctrl-C to the trainer.
final class ProgressReporter: TrainingObserver {
    let quiet: Bool
    let isTerminal = isatty(STDERR_FILENO) != 0
    let hasExactSolution: Bool
    var interruptFlag: InterruptFlag?
    /// The iteration a resumed run starts from (its speed counts only this run's iterations).
    var resumedAt = 0
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastPrint: UInt64 = 0
    private var lastIteration = 0
    private var lastLoss = Double.nan
    private var lastMetrics: ErrorMetrics?
    private var total = 0
    private var printedLive = false

    init(quiet: Bool, hasExactSolution: Bool) {
        self.quiet = quiet
        self.hasExactSolution = hasExactSolution
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    func header(_ file: ProblemFile, output: String, processes: Int = 1) {
        guard !quiet else { return }
        let c = file.configuration
        let p = file.problem
        var lines = ["pinn \(PINNVersion.current): \(file.path)"]
        if !file.description.isEmpty { lines.append("  \(file.description)") }
        lines.append("  PDE \(p.equation) on \(p.domain)")
        let widths = c.hiddenWidths.map(String.init).joined(separator: "→")
        lines.append("  network \(p.domain.dimension)→\(widths)→\(p.fields.count) \(c.activations.map { $0.terms.map(\.function.rawValue).joined(separator: "+") }.joined(separator: ",")), seed \(c.seed)")
        lines.append("  points \(c.interiorPoints) interior + \(p.domain.dimension == 1 ? 2 : c.boundaryPoints) boundary, \(c.threads) thread\(c.threads == 1 ? "" : "s")"
                     + (processes > 1 ? " × \(processes) MPI processes" : "") + ", output \(output)")
        write(lines.joined(separator: "\n") + "\n")
    }

    func trainingShouldStop() -> Bool { interruptFlag?.isSet ?? false }

    func trainingDidRecord(_ record: HistoryRecord) {
        lastMetrics = record.metrics
    }

    func trainingDidIterate(iteration: Int, of total: Int, loss: Double, metrics: ErrorMetrics?) {
        guard !quiet else { return }
        self.total = total
        lastIteration = iteration
        lastLoss = loss
        if let metrics { lastMetrics = metrics }
        let now = DispatchTime.now().uptimeNanoseconds
        let interval: UInt64 = isTerminal ? 100_000_000 : 5_000_000_000
        if now - lastPrint >= interval || iteration == total {
            lastPrint = now
            emit(now: now)
        }
    }

    private func emit(now: UInt64) {
        let elapsed = Double(now - start) * 1e-9
        let rate = elapsed > 0 ? Double(lastIteration - resumedAt) / elapsed : 0
        let remaining = rate > 0 ? Double(total - lastIteration) / rate : 0
        var fields = [String(format: "it %d/%d", lastIteration, total), String(format: "loss %.3e", lastLoss)]
        if hasExactSolution, let m = lastMetrics { fields.append(String(format: "rel_l2 %.3e", m.relativeL2)) }
        fields.append(String(format: "%.0f it/s", rate))
        fields.append("ETA " + Self.clock(remaining))
        if isTerminal {
            let width = 20
            let filled = total > 0 ? width * lastIteration / total : 0
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            let percent = total > 0 ? 100 * lastIteration / total : 0
            write("\r[\(bar)] \(String(format: "%3d", percent))%  " + fields.joined(separator: "  ") + "\u{1B}[K")
            printedLive = true
        } else {
            write(fields.joined(separator: "  ") + "\n")
        }
    }

    func finish() {
        if printedLive { write("\n") }
    }

    func summary(_ solution: Solution, output: String) {
        guard !quiet else { return }
        let r = solution.report
        var lines = [String(format: "%@: %d iterations in %.1f s (%.2f ms/iteration, median %.2f, fastest %.2f)",
                            r.stopReason.description, r.iterations, r.totalTime, r.millisecondsPerIteration,
                            r.medianMillisecondsPerIteration, r.fastestMillisecondsPerIteration)]
        if let last = r.history.last {
            var line = String(format: "final loss %.4e", last.loss)
            if let m = last.metrics {
                // After time marching the record's errors are the last window's; the result file has the whole range's.
                let window = solution.windowNetworks.count > 1 ? " (last window)" : ""
                line += String(format: ", relative L2 error%@ %.4e, max error %.4e", window, m.relativeL2, m.maxError)
            }
            lines.append(line)
        }
        lines += r.stageNotes
        lines.append("wrote \(output)")
        write(lines.joined(separator: "\n") + "\n")
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Set when the user presses Ctrl-C (SIGINT) or a batch scheduler sends SIGTERM: training stops after the current
/// iteration and the result is written. A second signal ends the process at once with `_exit` — no atexit handlers
/// or static destructors run while worker threads still use them (`exit` there crashed in `sem_post`) — after
/// removing this run's temporary files, so nothing half-written is left under any name.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var sources: [DispatchSourceSignal] = []
    private let temporaries: [String]

    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }

    /// Sets the flag; returns whether it was set already.
    private func setAgain() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let before = value
        value = true
        return before
    }

    private init(temporaries: [String]) { self.temporaries = temporaries }

    static let signals: [(Int32, String)] = [(SIGINT, "interrupt"), (SIGTERM, "terminate (SIGTERM)")]

    /// Installs the handlers; `temporaries` are the files to remove on a second signal.
    static func install(temporaries: [String]) -> InterruptFlag {
        let flag = InterruptFlag(temporaries: temporaries)
        for (number, name) in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [flag] in
                if flag.setAgain() {
                    for path in flag.temporaries { unlink(path) }
                    FileHandle.standardError.write(Data("\n\(name) again: aborted; no result file written\n".utf8))
                    _exit(ExitStatus.interrupted)
                }
                FileHandle.standardError.write(Data("\n\(name): stopping after this iteration and writing the results (Ctrl-C or SIGTERM again to abort)\n".utf8))
            }
            source.resume()
            flag.sources.append(source)
        }
        return flag
    }

    /// Restores the default handlers (a signal while the result is written then ends the process; the temporary
    /// file is removed by the next run into the same folder, ``ResultFile/removeStaleTemporaries(for:)``).
    func uninstall() {
        for source in sources { source.cancel() }
        for (number, _) in Self.signals { signal(number, SIG_DFL) }
    }
}
