import Foundation
import Logging
import SystemSupport
import Testing

/// The box's log lines as journald and a technician read them.
@Suite(.tags(.unit)) struct JournalLogTests {
    static let moment = Date(timeIntervalSince1970: 1_796_000_000)

    @Test(arguments: [(Logger.Level.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2)])
    func eachLevelHasItsSyslogPriority(level: Logger.Level, priority: Int) {
        #expect(LogLine.text("x", metadata: [:], level: level, form: .journal, at: Self.moment) == "<\(priority)>x")
    }

    /// Under journald: no time stamp, the fields in key order, and every line of a message an
    /// entry with its own priority.
    @Test func aJournalLineCarriesItsFieldsAndNoTimeStamp() {
        let fields = LogFields(.error, line: 1, call: 42, caseNumber: "10000012")
        let text = LogLine.text("line 1: could not store\nthe disk is full", metadata: fields.metadata, level: fields.severity.level, form: .journal, at: Self.moment)
        #expect(text == "<3>line 1: could not store\n<3>the disk is full call=42 case=10000012 line=1")
    }

    @Test func aPlainLineStartsWithItsTimeAndQuotesValuesWithSpaces() {
        let text = LogLine.text("box up", metadata: ["flow": "seed flow", "empty": "", "n": "3"], level: .info, form: .plain, at: Self.moment)
        #expect(text == "2026-11-30T00:53:20Z box up empty=\"\" flow=\"seed flow\" n=3")
    }

    @Test func theBoxsWarningsAreKnownByTheirFirstWord() {
        #expect(LogFields.of("warning: front panel not available").severity == .warning)
        #expect(LogFields.of("box up: 4 lines").severity == .info)
    }

    /// JOURNAL_STREAM counts only when it names the stream standard output is.
    @Test func journaldIsRecognisedByTheStreamItNames() throws {
        var st = stat()
        try #require(fstat(STDOUT_FILENO, &st) == 0)
        #expect(LogForm.forStandardOutput(environment: ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino)"]) == .journal)
        #expect(LogForm.forStandardOutput(environment: ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino + 1)"]) == .plain)
        #expect(LogForm.forStandardOutput(environment: ["JOURNAL_STREAM": "garbage"]) == .plain)
        #expect(LogForm.forStandardOutput(environment: [:]) == .plain)
    }
}
