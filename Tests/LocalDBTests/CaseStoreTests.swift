import Foundation
import HotlineModel
import LocalDB
import Testing
import TestSupport

@Suite(.tags(.unit)) struct AcceptanceNumberTests {
    @Test func numbersCarryThePrefixAndAValidCheckDigit() throws {
        let prefix = try #require(NodePrefix("37"))
        let n = AcceptanceNumber(prefix: prefix, sequence: 1234)
        #expect(n.digits.count == 8)
        #expect(n.digits.hasPrefix("3701234"))
        #expect(try AcceptanceNumber(validating: n.digits) == n)
    }

    /// Every single wrong digit and every swap of adjacent digits is caught, for many numbers.
    @Test func everySingleDigitErrorAndAdjacentSwapIsCaught() throws {
        let prefix = try #require(NodePrefix("1"))
        for sequence in stride(from: 0, to: 1_000_000, by: 9973) {
            let good = Array(AcceptanceNumber(prefix: prefix, sequence: sequence).digits)
            for i in 0..<8 {
                for d in "0123456789" where d != good[i] {
                    var bad = good
                    bad[i] = d
                    #expect(throws: AcceptanceNumber.Problem.checkDigitMismatch(String(bad))) { try AcceptanceNumber(validating: String(bad)) }
                }
                if i < 7 && good[i] != good[i + 1] {
                    var swapped = good
                    swapped.swapAt(i, i + 1)
                    #expect(throws: AcceptanceNumber.Problem.self) { try AcceptanceNumber(validating: String(swapped)) }
                }
            }
        }
    }

    @Test(arguments: ["1234567", "123456789", "1234567a", ""])
    func malformedInputIsNamed(text: String) {
        #expect(throws: AcceptanceNumber.Problem.notEightDigits(text)) { try AcceptanceNumber(validating: text) }
    }

    @Test func prefixesAreOneToThreeDigitsNotStartingWithZero() {
        #expect(NodePrefix("0") == nil)
        #expect(NodePrefix("1234") == nil)
        #expect(NodePrefix("12")?.sequenceLimit == 100_000)
    }
}

@Suite(.tags(.unit)) struct CaseStoreTests {
    let scratch: ScratchDirectory
    init() throws { scratch = try ScratchDirectory() }

    func store() throws -> CaseStore { try CaseStore(path: scratch.path("cases.sqlite"), prefix: NodePrefix("5")!) }

    /// A 3-digit prefix has 10⁴ numbers; each takes one read and one write (on 429158c each
    /// creation could try 10⁴ queries), the last one is given, then the store says so.
    @Test func acceptanceNumbersRunToTheirCapacityInConstantTime() throws {
        let db = try CaseStore(path: scratch.path("three.sqlite"), prefix: NodePrefix("123")!)
        #expect(try db.acceptanceNumbers() == (0, 10_000))
        let first = try db.createCase(kind: .complaint, call: nil, callerNumber: nil, at: Date())
        #expect(first.number.digits.hasPrefix("1230001"))
        try db.db.query("UPDATE sequences SET value = 9999 WHERE name = 'case'")
        let last = try db.createCase(kind: .complaint, call: nil, callerNumber: nil, at: Date())
        #expect(last.number.digits.hasPrefix("1230000"))
        #expect(try db.acceptanceNumbers() == (10_000, 10_000))
        #expect(throws: CaseStore.StoreError.self) { try db.createCase(kind: .complaint, call: nil, callerNumber: nil, at: Date()) }
        #expect(try db.cases().count == 2)
    }

    /// The time an ack records is read back as a date (the panel's sync light and `sync status`
    /// depend on it), and acks only move forward.
    @Test func anAckRecordsWhenTheCentralOfficeLastPulled() throws {
        let db = try store()
        #expect(try db.lastPull() == nil)
        _ = try db.beginCall(line: 0, at: Date())
        let now = Date()
        #expect(try db.ack(upTo: 1, at: now, clock: 0) == .acked(1))
        let read = try #require(try db.lastPull().flatMap(StoreTime.date))
        #expect(abs(read.timeIntervalSince(now)) < 0.002)
        #expect(try db.ack(upTo: 2, at: now, clock: 0) == .beyondFeed(latest: 1))
        #expect(try db.ackedChange() == 1)
    }

    @Test func aCaseIsDurableWithItsMediaAndHistory() throws {
        let recording = scratch.path("msg.wav")
        try Data("RIFF-test".utf8).write(to: URL(fileURLWithPath: recording))
        var created: CaseRecord
        do {
            let db = try store()
            let call = try db.beginCall(line: 2, at: Date(timeIntervalSince1970: 1_795_939_200), caller: CallerInfo(number: "13812345678", standard: "bell202"))
            created = try db.createCase(kind: .complaint, call: call, callerNumber: "13812345678",
                                        media: [NewMedia(kind: .recording, path: recording, durationMs: 12_000)], at: Date(timeIntervalSince1970: 1_795_939_260))
            try db.finishCall(call, at: Date(timeIntervalSince1970: 1_795_939_320), disconnectReason: .loopCurrentLost, disposition: .caseCreated,
                              ivrPath: ["welcome", "auto_menu", "complaint"], digits: "221")
        }
        // A new connection (as after a restart) sees everything.
        let db = try store()
        let found = try #require(try db.lookup(created.number))
        #expect(found == created)
        let media = try db.media(case: found.id)
        #expect(media.count == 1)
        #expect(media.first?.sha256 == "b0235405d47fa39162573b81108b2f7014448e4cb1b3345e9c9868981393460d")
        #expect(media.first?.size == 9)
        let call = try #require(try db.calls().first)
        #expect(call.ivrPath == "welcome auto_menu complaint")
        #expect(call.disconnectReason == "loop_current_lost")
    }

    @Test func numbersFollowTheSequenceAndNeverRepeat() throws {
        let db = try store()
        let numbers = try (0..<50).map { _ in try db.createCase(kind: .mayorMailbox, call: nil, callerNumber: nil, at: Date()).number.digits }
        #expect(Set(numbers).count == 50)
        #expect(numbers.first == AcceptanceNumber(prefix: NodePrefix("5")!, sequence: 1).digits)
        #expect(numbers.allSatisfy { $0.hasPrefix("5") })
    }

    @Test func statusUpdatesAreVersionedAndIdempotent() throws {
        let db = try store()
        let c = try db.createCase(kind: .complaint, call: nil, callerNumber: nil, at: Date())
        #expect(try db.setStatus(c.number, to: .inProgress, version: 2, at: Date()) == .applied(version: 2))
        #expect(try db.setStatus(c.number, to: .inProgress, version: 2, at: Date()) == .stale(current: 2))
        #expect(try db.setStatus(c.number, to: .accepted, version: 1, at: Date()) == .stale(current: 2))
        #expect(try db.setStatus(c.number, to: .closed, at: Date()) == .applied(version: 3))
        #expect(try db.lookup(c.number)?.status == .closed)
        let unknown = AcceptanceNumber(prefix: NodePrefix("5")!, sequence: 99_999)
        #expect(try db.setStatus(unknown, to: .closed, at: Date()) == .unknownCase)
    }

    /// Numbers of other nodes are kept as remote cases, versioned like this box's own; the note
    /// callers hear is the latest one given, and "" clears it.
    @Test func casesOfOtherNodesAreKeptWithTheirNotes() throws {
        let db = try store()
        let other = AcceptanceNumber(prefix: NodePrefix("62")!, sequence: 17)
        #expect(try db.callerStatus(other) == nil)
        #expect(try db.setStatus(other, to: .inProgress, version: 3, note: "已派单", at: Date()) == .applied(version: 3))
        #expect(try db.setStatus(other, to: .accepted, version: 2, note: "旧的", at: Date()) == .stale(current: 3))
        #expect(try db.callerStatus(other) == CallerStatus(status: .inProgress, note: "已派单"))
        #expect(try db.setStatus(other, to: .closed, at: Date()) == .applied(version: 4))
        #expect(try db.callerStatus(other) == CallerStatus(status: .closed, note: "已派单"))
        #expect(try db.setStatus(other, to: .closed, version: 5, note: "", at: Date()) == .applied(version: 5))
        #expect(try db.callerStatus(other) == CallerStatus(status: .closed, note: nil))
        // Not this box's cases: nothing for the central office to pull back.
        #expect(try db.cases().isEmpty)

        let own = try db.createCase(kind: .complaint, call: nil, callerNumber: nil, at: Date())
        #expect(try db.callerStatus(own.number) == CallerStatus(status: .accepted, note: nil))
        _ = try db.setStatus(own.number, to: .inProgress, note: "第一次", at: Date())
        _ = try db.setStatus(own.number, to: .inProgress, at: Date())
        #expect(try db.callerStatus(own.number) == CallerStatus(status: .inProgress, note: "第一次"))
        _ = try db.setStatus(own.number, to: .closed, note: "", at: Date())
        #expect(try db.callerStatus(own.number) == CallerStatus(status: .closed, note: nil))
    }

    @Test func aMissingMediaFileIsRefusedAndNothingIsStored() throws {
        let db = try store()
        #expect(throws: CaseStore.StoreError.self) {
            try db.createCase(kind: .complaint, call: nil, callerNumber: nil, media: [NewMedia(kind: .recording, path: scratch.path("none.wav"))], at: Date())
        }
        #expect(try db.cases().isEmpty)
    }

    @Test func surveyAnswersAreKeptPerCall() throws {
        let db = try store()
        let call = try db.beginCall(line: 0, at: Date())
        try db.recordSurveyAnswer(call: call, survey: "satisfaction", question: "q1", answer: "4", at: Date())
        try db.recordSurveyAnswer(call: call, survey: "satisfaction", question: "q2", answer: "1", at: Date())
        #expect(try db.surveyAnswers(call: call).map(\.answer) == ["4", "1"])
    }

    /// A box updated from schema 4 keeps every case, its media and its history, and its cases
    /// table now takes call-back requests; every reference still holds.
    @Test func anOlderStoreIsMigratedWithItsCasesIntact() throws {
        let path = scratch.path("v4.sqlite")
        let old = try SQLiteConnection(path: path)
        try Migrations.apply(to: old, through: 4)
        try old.execute("""
            INSERT INTO calls (id, uid, line, direction, started_at) VALUES (7, 'u7', 0, 'inbound', '2026-01-01T00:00:00.000Z');
            INSERT INTO cases (id, number, kind, status, call_id, caller_number, created_at, updated_at)
                VALUES (3, '10005008', 'complaint', 'in_progress', 7, '13812345678', '2026-01-01T00:00:01.000Z', '2026-01-02T00:00:00.000Z');
            INSERT INTO case_status_history (case_id, status, version, source, note, changed_at)
                VALUES (3, 'in_progress', 2, 'central', '已转城管', '2026-01-02T00:00:00.000Z');
            INSERT INTO media (case_id, call_id, kind, path, size, sha256, created_at)
                VALUES (3, 7, 'recording', '/r.wav', 44, 'x', '2026-01-01T00:00:01.000Z');
            """)
        let store = try CaseStore(path: path, prefix: NodePrefix("1")!)
        let kept = try #require(try store.lookup(AcceptanceNumber(validating: "10005008")))
        #expect(kept.kind == .complaint && kept.status == .inProgress && kept.callerNumber == "13812345678")
        #expect(try store.media(case: kept.id).map(\.path) == ["/r.wav"])
        let check = try SQLiteConnection(path: path)
        #expect(try check.scalar("PRAGMA user_version") == "\(Migrations.all.count)")
        #expect(try check.scalar("PRAGMA foreign_key_check") == nil)
        #expect(try check.scalar("SELECT note FROM case_status_history WHERE case_id = 3") == "已转城管")
        _ = try store.createCase(kind: .callbackRequest, call: nil, callerNumber: "13900000000", at: Date())
        // Foreign keys are enforced again once the migration is done.
        #expect(throws: SQLiteError.self) { try check.execute("DELETE FROM cases WHERE id = 3") }
    }

    @Test func aNewerSchemaIsRefused() throws {
        let path = scratch.path("future.sqlite")
        try SQLiteConnection(path: path).execute("PRAGMA user_version = 99")
        let error = #expect(throws: SQLiteError.self) { try CaseStore(path: path, prefix: NodePrefix("5")!) }
        #expect(error?.description.contains("newer than this software") == true)
    }
}
