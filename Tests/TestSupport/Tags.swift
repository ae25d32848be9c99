import Foundation
import Testing

extension Tag {
    /// In-process and quick: state machines, parsers, the store, signals through SpanDSP, the
    /// module graph. `make test-fast` runs these.
    @Tag public static var unit: Self
    /// Whole boxes: simulated calls through the runtime, spawned executables, servers, kill -9.
    @Tag public static var system: Self
}

extension Trait where Self == ConditionTrait {
    /// Skips a system suite when HOTLINE_TESTS=unit (`make test-fast`). Swift 6.3's `swift test`
    /// cannot filter by tag yet (`--filter tag:` came later), so the tag alone cannot select.
    public static var skippedInFastRun: Self {
        .enabled(if: ProcessInfo.processInfo.environment["HOTLINE_TESTS"] != "unit", "a system test; HOTLINE_TESTS=unit runs the unit tests only")
    }
}
