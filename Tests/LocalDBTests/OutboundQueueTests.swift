import Foundation
import HotlineModel
import LocalDB
import Testing
import TestSupport

/// The outbound queue in the store alone: jobs, attempts and outcomes as a line time would
/// drive them, and what a restart finds.
@Suite(.tags(.unit)) struct OutboundQueueTests {
    let scratch: ScratchDirectory
    let t0 = Date(timeIntervalSince1970: 1_796_000_000)

    init() throws { scratch = try ScratchDirectory() }

    func store() throws -> CaseStore { try CaseStore(path: scratch.path("cases.sqlite"), prefix: NodePrefix("5")!) }

    /// The CDR an attempt's call writes first.
    func call(_ s: CaseStore) throws -> Int { try s.beginCall(line: 1, direction: .outbound, at: t0) }

    func request(_ id: String = "cb-1", attempts: Int = 3, expiresIn: Double = 86_400) -> NewOutboundJob {
        NewOutboundJob(clientID: id, kind: .callback, caseNumber: AcceptanceNumber(prefix: NodePrefix("5")!, sequence: 1), number: "13912340000",
                       purpose: .result, status: .closed, note: "已修好", maxAttempts: attempts, retryAfterSeconds: 600, notBefore: t0,
                       expiresAt: t0.addingTimeInterval(expiresIn))
    }

    /// Asking twice with one id finds the first job: one job, one change.
    @Test func aJobIsQueuedOncePerClientID() throws {
        let s = try store()
        let first = try s.queueOutbound(request(), at: t0)
        var again = request()
        again.number = "13800000000"
        let second = try s.queueOutbound(again, at: t0.addingTimeInterval(5))
        #expect(first.created && !second.created)
        #expect(second.job == first.job && second.job.request.number == "13912340000")
        #expect(try s.outboundJobs().count == 1)
        #expect(try s.db.scalar("SELECT count(*) FROM changes WHERE entity = 'outbound_job'") == "1")
    }

    /// Busy, then the retry time, then no answer, then the last attempt: the job is dialled by
    /// one line at a time and ends as its last result says.
    @Test func attemptsWaitTheirRetryAndRunOut() throws {
        let s = try store()
        let job = try s.queueOutbound(request(), at: t0).job
        #expect(try s.nextDueOutbound(at: t0.addingTimeInterval(-1)) == nil)
        var now = t0
        for (n, result) in ["busy", "no_answer", "no_answer"].enumerated() {
            #expect(try s.nextDueOutbound(at: now)?.id == job.id)
            let attempt = try #require(try s.beginOutboundAttempt(job: job.id, line: 1, call: try call(s), at: now))
            // On a line now: not due, and a second line cannot take it.
            #expect(try s.nextDueOutbound(at: now) == nil)
            #expect(try s.beginOutboundAttempt(job: job.id, line: 2, call: try call(s), at: now) == nil)
            let after = try #require(try s.endOutboundAttempt(attempt, result: result, outcome: nil, at: now.addingTimeInterval(30)))
            #expect(after.attempts == n + 1)
            if n < 2 {
                #expect(after.state == .queued && after.nextAt == now.addingTimeInterval(630))
                #expect(try s.nextDueOutbound(at: now.addingTimeInterval(629)) == nil)
                now = now.addingTimeInterval(630)
            } else {
                #expect(after.state == .done && after.outcome == .noAnswer)
            }
        }
        #expect(try s.outboundAttempts(job: job.id).map(\.result) == ["busy", "no_answer", "no_answer"])
    }

    @Test func anOutcomeEndsTheJobWithItsRating() throws {
        let s = try store()
        let job = try s.queueOutbound(request(), at: t0).job
        let attempt = try #require(try s.beginOutboundAttempt(job: job.id, line: 0, call: try call(s), at: t0))
        let done = try #require(try s.endOutboundAttempt(attempt, result: "answered", outcome: .rated, rating: .dissatisfied, at: t0))
        #expect(done.state == .done && done.outcome == .rated && done.rating == .dissatisfied)
        #expect(try s.nextDueOutbound(at: t0.addingTimeInterval(3600)) == nil)
    }

    /// Cancelled while queued: never dialled. Cancelled while on a line: that attempt finishes,
    /// the job stays cancelled and is not dialled again.
    @Test func aCancelledJobIsNeverDialledAgain() throws {
        let s = try store()
        let queued = try s.queueOutbound(request("a"), at: t0).job
        #expect(try s.cancelOutbound(id: queued.id, at: t0)?.outcome == .cancelled)
        #expect(try s.beginOutboundAttempt(job: queued.id, line: 0, call: try call(s), at: t0) == nil)
        let onLine = try s.queueOutbound(request("b"), at: t0).job
        let attempt = try #require(try s.beginOutboundAttempt(job: onLine.id, line: 0, call: try call(s), at: t0))
        #expect(try s.cancelOutbound(id: onLine.id, at: t0)?.outcome == .cancelled)
        let after = try #require(try s.endOutboundAttempt(attempt, result: "busy", outcome: nil, at: t0))
        #expect(after.state == .done && after.outcome == .cancelled)
        #expect(try s.nextDueOutbound(at: t0.addingTimeInterval(86_000)) == nil)
        #expect(try s.cancelOutbound(id: 999, at: t0) == nil)
    }

    @Test func aJobPastItsExpiryEndsExpired() throws {
        let s = try store()
        let job = try s.queueOutbound(request(expiresIn: 3600), at: t0).job
        #expect(try s.expireOutbound(at: t0.addingTimeInterval(3599)) == 0)
        #expect(try s.expireOutbound(at: t0.addingTimeInterval(3600)) == 1)
        #expect(try s.outboundJob(id: job.id)?.outcome == .expired)
        #expect(try s.nextDueOutbound(at: t0.addingTimeInterval(3600)) == nil)
    }

    /// A kill -9 with an attempt on a line: at the next start that attempt is `interrupted`
    /// and counts, and the job waits its retry; a ring that took the line first does not count.
    @Test func aRestartResumesTheJob() throws {
        let job: OutboundJob
        do {
            let s = try store()
            job = try s.queueOutbound(request(), at: t0).job
            let yielded = try #require(try s.beginOutboundAttempt(job: job.id, line: 0, call: try call(s), at: t0))
            #expect(try s.endOutboundAttempt(yielded, result: CaseStore.yielded, outcome: nil, at: t0)?.attempts == 0)
            #expect(try s.nextDueOutbound(at: t0)?.id == job.id)
            _ = try s.beginOutboundAttempt(job: job.id, line: 1, call: try call(s), at: t0)
        }
        let reopened = try store()
        #expect(try reopened.recoverOutbound(at: t0.addingTimeInterval(60)) == 1)
        let resumed = try #require(try reopened.outboundJob(id: job.id))
        #expect(resumed.state == .queued && resumed.attempts == 1 && resumed.nextAt == t0.addingTimeInterval(660))
        #expect(try reopened.outboundAttempts(job: job.id).map(\.result) == [CaseStore.yielded, CaseStore.interrupted])
        #expect(try reopened.recoverOutbound(at: t0.addingTimeInterval(61)) == 0)
    }
}
