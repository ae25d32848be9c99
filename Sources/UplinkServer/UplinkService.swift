import Box
import DSP
import Foundation
import HotlineModel
import NIOSSL
import LocalDB
import Synchronization
import SystemSupport
import UplinkWire

/// What the central office can ask of the box, independent of HTTP: the change feed, media in
/// their uplink form, acks and retention, status updates, content pushes, health and metrics.
/// Runs on the server's threads with its own connection to the case store; content it switches
/// reaches the running flows through `pushed`, which the event thread drains.
package final class UplinkService: @unchecked Sendable {
    // Unchecked: each case store connection is only touched under its slot's lock; the rest is
    // immutable or in Mutexes.
    package let config: BoxConfig
    package let content: ActiveContent
    /// Connections of the uplink's own to the case store, a few so that reads (WAL: they never
    /// wait for writers) run side by side, and no more, so a flood of requests cannot take
    /// descriptors or memory: a request waits for a free one.
    private let stores: [(store: CaseStore, lock: NSLock)]
    private let freeStores: DispatchSemaphore
    package static let storeConnections = 4
    /// Health and metrics read on a connection of their own, so they never queue behind pages.
    private let healthStore: (store: CaseStore, lock: NSLock)
    /// The threads every request's blocking work runs on: one per store connection, and one
    /// more kept for health and metrics.
    package let workers = WorkPool(label: "uplink", threads: storeConnections + 1, reserved: 1)
    /// Encoding a medium into its uplink form (Opus): one at a time, on a thread of its own.
    package let encoder = WorkPool(label: "uplink-encoder", threads: 1)
    /// Content pushes (unpacking, rendering, checks: up to push_timeout): one at a time, apart.
    package let pusher = WorkPool(label: "uplink-push", threads: 1)
    private let pushing = Mutex(())
    private let encoding = Mutex(())
    /// Content kinds switched on disk, waiting for the event thread to put them into force.
    package let pushed = Mutex<[ContentKind]>([])
    /// Media the background preparation could not encode.
    private let unpreparable = Mutex<Set<Int>>([])
    /// The lines as the event thread last saw them, for health.
    package let lines = Mutex<[String]>([])
    /// What the event thread says a technician should see to (a filling disk, store failures).
    package let boxWarnings = Mutex<[String]>([])
    package let uplinkDirectory: String
    private let startedAt: Date
    private let now: @Sendable () -> Date
    /// Seconds on a clock no one can set (CLOCK_BOOTTIME): what retention counts.
    private let monotonic: @Sendable () -> Double
    private let retention = Mutex<RetentionClock?>(nil)
    /// Lines for the box's log (audit entries, clock jumps), drained by the event thread, which
    /// owns the log; bounded so an unread queue cannot grow.
    package let notices = Mutex<[String]>([])
    private static let maxNotices = 1000
    /// The connections the server holds, capped below the descriptor limit.
    package let connections: ConnectionLedger
    /// The box's certificate: its subject and end of validity (nil on plain HTTP).
    private let certificate: (subject: String, notAfter: Date)?
    package static let certificateWarningDays = 30

    package static let maxPage = UplinkLimits.maxPage
    /// Firmware bundles pushed a piece at a time, handed to the box's updater (the console's too).
    package let firmware: FirmwareReceiver

    /// `updates`: the box's one updater, which the console shares (a package install has none
    /// that works, and says so).
    package init(config: BoxConfig, updates: UpdateInstaller? = nil, now: @escaping @Sendable () -> Date = { Date() },
                 monotonic: @escaping @Sendable () -> Double = BootClock.seconds) throws {
        self.config = config
        let data = config.dataDirectory
        firmware = FirmwareReceiver(dataDirectory: data, updates: updates ?? UpdateInstaller(scratch: data), keepFreeBytes: config.disk.recordingFloorBytes,
                                    freeBytes: config.diskFreeBytes ?? { DiskSpace.freeBytes(data) ?? 0 })
        content = ActiveContent(store: ContentStore(dataDirectory: config.dataDirectory), config: config)
        stores = try (0..<Self.storeConnections).map { _ in (try CaseStore(path: "\(config.dataDirectory)/cases.sqlite", prefix: config.nodePrefix), NSLock()) }
        freeStores = DispatchSemaphore(value: Self.storeConnections)
        healthStore = (try CaseStore(path: "\(config.dataDirectory)/cases.sqlite", prefix: config.nodePrefix), NSLock())
        uplinkDirectory = "\(config.dataDirectory)/uplink"
        try FileManager.default.createDirectory(atPath: uplinkDirectory, withIntermediateDirectories: true)
        startedAt = now()
        self.now = now
        self.monotonic = monotonic
        let room = (ProcessLimits.openFiles ?? 1024) - UplinkBounds.reservedDescriptors
        connections = ConnectionLedger(limit: max(1, min(config.uplink.bounds.maxConnections, room)))
        certificate = config.uplink.plainHTTP ? nil : (try? NIOSSLCertificate.fromPEMFile(config.uplink.certificatePath(data: config.dataDirectory)).first).flatMap { c in
            (try? PeerIdentity(c)).map { ($0.subject, Date(timeIntervalSince1970: Double(c.notValidAfter))) }
        }
        if let warning = certificateState?.warning { notice("warning: \(warning)") }
    }

    /// The certificate's state now, and a warning within 30 days of its end.
    private var certificateState: (state: Health.CertificateState, warning: String?)? {
        guard let certificate else { return nil }
        let days = Int((certificate.notAfter.timeIntervalSince(now()) / 86_400).rounded(.down))
        let state = Health.CertificateState(subject: certificate.subject, notAfter: ISO8601DateFormatter().string(from: certificate.notAfter), daysLeft: days)
        guard days < Self.certificateWarningDays else { return (state, nil) }
        return (state, days < 0 ? "the box's uplink certificate expired on \(state.notAfter); the central office cannot pull until it is renewed (docs/UPLINK.md)"
                                : "the box's uplink certificate expires in \(days) days (\(state.notAfter)); renew it (docs/UPLINK.md)")
    }

    package enum Failure: Error {
        case badRequest(String)
        case notFound(String)
        case gone(String)
        /// An ack past the feed's end, with where the feed ends.
        case beyondFeed(String, latest: Int)
        case unprocessable(String, [String])
        /// A body over its limit, named.
        case tooLarge(String)
        /// The request contradicts what was asked before under the same id.
        case conflict(String)
        /// Not now: the same request later (503 with Retry-After).
        case busy(String)
        /// The disk cannot take it without eating into the room kept for calls (507).
        case insufficientStorage(String)

        /// What went wrong, in the words of the reply.
        package var message: String {
            switch self {
            case .badRequest(let m), .notFound(let m), .gone(let m), .beyondFeed(let m, _), .unprocessable(let m, _), .tooLarge(let m), .conflict(let m),
                 .busy(let m), .insufficientStorage(let m), .internalError(let m): m
            case .rangeNotSatisfiable(let size): "the range is outside the item (\(size) bytes)"
            }
        }
        case rangeNotSatisfiable(size: Int)
        case internalError(String)
    }

    private func withStore<T>(_ lane: WorkPool.Lane = .ordinary, _ body: (CaseStore) throws(CaseStore.StoreError) -> T) throws(Failure) -> T {
        let result = borrowStore(lane) { s in Result { () throws(CaseStore.StoreError) -> T in try body(s) } }
        do { return try result.get() } catch { throw .internalError("\(error)") }
    }

    /// `body`'s value or error, whatever it throws, with one of the store's connections.
    private func withStoreResult<T>(_ body: (CaseStore) throws -> T) -> Result<T, any Error> {
        borrowStore(.ordinary) { s in Result { try body(s) } }
    }

    /// Runs `body` with a connection of `lane`'s, waiting for one to be free.
    private func borrowStore<T>(_ lane: WorkPool.Lane, _ body: (CaseStore) -> T) -> T {
        let slot: (store: CaseStore, lock: NSLock)
        switch lane {
        case .priority:
            slot = healthStore
            slot.lock.lock()
        case .ordinary:
            freeStores.wait()
            // Past the semaphore one of the connections is free; find it.
            var found: (store: CaseStore, lock: NSLock)?
            while found == nil { found = stores.first { $0.lock.try() } }
            slot = found ?? stores[0]
        }
        defer {
            slot.lock.unlock()
            if case .ordinary = lane { freeStores.signal() }
        }
        return body(slot.store)
    }

    // MARK: Feed

    /// Changes after `cursor`, oldest first, each with its snapshot.
    package func changes(after cursor: Int, limit: Int) throws(Failure) -> ChangesPage {
        guard cursor >= 0 else { throw .badRequest("after must be 0 or more") }
        guard (1...Self.maxPage).contains(limit) else { throw .badRequest("limit must be 1 to \(Self.maxPage)") }
        let (page, latest) = try withStore { s throws(CaseStore.StoreError) in (try s.changes(after: cursor, limit: limit), try s.latestChange()) }
        let items = try page.map { c throws(Failure) in
            guard let entity = Change.Entity(rawValue: c.entity), let kind = Change.Kind(rawValue: c.change) else {
                throw .internalError("change \(c.seq): unknown entity or change \(c.entity) \(c.change)")
            }
            let data = c.payload.flatMap { try? WireJSON.decode(JSONValue.self, from: Data($0.utf8)) } ?? .null
            return Change(seq: c.seq, entity: entity, id: c.entityID, change: kind, at: c.at, data: data)
        }
        let next = page.last?.seq ?? cursor
        return ChangesPage(changes: items, next: next, latest: latest, more: next < latest)
    }

    package func ack(_ seq: Int) throws(Failure) -> AckReply {
        guard seq >= 0 else { throw .badRequest("seq must be 0 or more") }
        let clock = retentionTick()
        let result = try withStore { s throws(CaseStore.StoreError) in try s.ack(upTo: seq, at: now(), clock: clock) }
        switch result {
        case .acked(let acked):
            pruneExpired()
            return AckReply(acked: acked)
        case .beyondFeed(let latest):
            throw .beyondFeed("seq \(seq) is past the end of the feed (\(latest)); nothing acked", latest: latest)
        }
    }

    // MARK: Media

    /// A media item in its uplink form (Opus for recordings, TIFF as stored for faxes), made on
    /// first request and kept.
    package func media(_ id: Int) throws(Failure) -> UplinkForm {
        let found = try mediaRecord(id)
        if let u = found.uplink, FileManager.default.fileExists(atPath: u.path) { return u }
        let form: UplinkForm
        do {
            form = try encoding.withLock { _ in try Self.uplinkForm(found.media, directory: uplinkDirectory) }
        } catch {
            throw .internalError("media \(id): \(error)")
        }
        try withStore { s throws(CaseStore.StoreError) in try s.setUplinkForm(media: id, form) }
        return form
    }

    /// The medium's uplink form if it is made already; nil when it has to be encoded first.
    package func preparedMedia(_ id: Int) throws(Failure) -> UplinkForm? {
        let found = try mediaRecord(id)
        return found.uplink.flatMap { FileManager.default.fileExists(atPath: $0.path) ? $0 : nil }
    }

    private func mediaRecord(_ id: Int) throws(Failure) -> (media: MediaRecord, prunedAt: String?, uplink: UplinkForm?) {
        guard let found = try withStore(.ordinary, { s throws(CaseStore.StoreError) in try s.mediaRecord(id) }) else { throw .notFound("no media \(id)") }
        if let pruned = found.prunedAt { throw .gone("media \(id) was acked and deleted after its retention period, at \(pruned)") }
        return found
    }

    private static func uplinkForm(_ m: MediaRecord, directory: String) throws -> UplinkForm {
        let path: String, type: String
        switch m.kind {
        case .fax:
            (path, type) = (m.path, "image/tiff")
        case .recording, .callRecording:
            path = "\(directory)/\(m.id).opus"
            type = "audio/ogg"
            if !FileManager.default.fileExists(atPath: path) {
                try OpusRecording.encode(wav: m.path, channels: m.kind == .callRecording ? 2 : 1, to: path, serial: Int32(truncatingIfNeeded: m.id))
            }
        }
        let (size, sha256) = try ContentDigest.sha256Hex(file: path)
        return UplinkForm(path: path, contentType: type, size: size, sha256: sha256)
    }

    /// Encodes up to `limit` media ahead of the central office's request, so a pull over the
    /// slow line never waits on the encoder. Returns how many were prepared.
    @discardableResult
    package func prepareMedia(limit: Int) -> Int {
        let skip = unpreparable.withLock { $0 }
        let ids = (try? withStore { s throws(CaseStore.StoreError) in try s.mediaAwaitingUplinkForm(limit: limit + skip.count) }) ?? []
        return ids.filter { !skip.contains($0) }.prefix(limit).filter { id in
            if (try? media(id)) != nil { return true }
            // Left for the central office's request to report; not retried in the background.
            unpreparable.withLock { _ = $0.insert(id) }
            return false
        }.count
    }

    /// Deletes the files of media acked longer ago than the retention period, counted on the
    /// retention clock.
    @discardableResult
    package func pruneExpired() -> Int {
        let cutoff = retentionTick() - config.uplink.retentionDays * 86400
        guard let due = try? withStore(.ordinary, { s throws(CaseStore.StoreError) in try s.mediaPastRetention(ackedBefore: cutoff) }) else { return 0 }
        for item in due {
            for file in item.files { try? FileManager.default.removeItem(atPath: file) }
            try? withStore { s throws(CaseStore.StoreError) in try s.markPruned(media: item.id, at: now()) }
        }
        return due.count
    }

    /// Advances the retention clock (loaded from the store on first use) and saves it; a jump
    /// of the wall clock it notices goes to the log.
    private func retentionTick() -> Double {
        retention.withLock { clock in
            var c = clock ?? (try? withStore { s throws(CaseStore.StoreError) in try s.retentionClock(startingAt: now()) }) ?? RetentionClock(lastWall: now().timeIntervalSince1970)
            if let jump = c.tick(wall: now().timeIntervalSince1970, monotonic: monotonic()) {
                notice("clock: \(jump); retention counts the box's own clock, so nothing is deleted early")
            }
            try? withStore { s throws(CaseStore.StoreError) in try s.saveRetentionClock(c) }
            clock = c
            return c.elapsed
        }
    }

    package func notice(_ line: String) {
        notices.withLock { queue in
            if queue.count >= Self.maxNotices { queue.removeFirst(queue.count - Self.maxNotices + 1) }
            queue.append(line)
        }
    }

    /// Records a request that changed something: in the store, and in the log.
    package func audit(peer: PeerIdentity?, action: String, target: String, result: String) {
        let entry = AuditEntry(at: now(), peerFingerprint: peer?.fingerprint, peerSubject: peer?.subject, action: action, target: target, result: result)
        do { try withStore { s throws(CaseStore.StoreError) in try s.recordAudit(entry) } } catch {
            notice("audit: cannot record (\(error)): \(entry.line)")
            return
        }
        notice("audit: \(entry.line)")
    }

    // MARK: Central → box

    package func setStatus(_ numberText: String, _ update: StatusUpdate) throws(Failure) -> StatusReply {
        guard let number = try? AcceptanceNumber(validating: numberText) else { throw .badRequest("\(numberText) is not an acceptance number (8 digits with a valid check digit)") }
        guard update.version >= 1 else { throw .badRequest("$.version: must be 1 or more (the central office's version of this case's status)") }
        let result = try withStore { s throws(CaseStore.StoreError) in
            try s.setStatus(number, to: update.status, version: update.version, source: "central", note: update.note, at: now())
        }
        switch result {
        case .applied(let v):
            // Spoken now, on this request's thread, so no call ever waits for the synthesiser.
            let warning = update.note.flatMap { HandlingNotes(dataDirectory: config.dataDirectory).speak($0, for: number) }
            if let warning { notice("case \(number.digits): \(warning)") }
            return StatusReply(case: number.digits, result: .applied, version: v, noteWarning: warning)
        case .stale(let current): return StatusReply(case: number.digits, result: .stale, version: current)
        case .unknownCase:
            throw .notFound("no case \(number.digits) on this box: the number has this box's own prefix \(config.nodePrefix.digits) and was never given out (other nodes' numbers are kept as remote cases)")
        }
    }

    // MARK: Call-backs

    /// Queues a call-back (or finds the one queued under its id before). The case's status and
    /// note are set first and the note spoken, on this request's thread.
    package func scheduleCallback(_ schedule: CallbackSchedule) throws(Failure) -> CallbackReply {
        guard let number = try? AcceptanceNumber(validating: schedule.case) else {
            throw .badRequest("$.case: \(schedule.case) is not an acceptance number (8 digits with a valid check digit)")
        }
        func moment(_ text: String?, _ field: String) throws(Failure) -> Date? {
            guard let text else { return nil }
            guard let date = StoreTime.date(text) else {
                throw .badRequest("$.\(field): must be a moment with its offset, such as 2026-12-04T09:30:00+08:00, not \"\(text)\"")
            }
            return date
        }
        let request = CallbackRequest(id: schedule.id, caseNumber: number, number: schedule.number, purpose: schedule.purpose ?? .result, status: schedule.status,
                                      note: schedule.note, notBefore: try moment(schedule.notBefore, "not_before"),
                                      expiresAt: try moment(schedule.expiresAt, "expires_at"), attempts: schedule.attempts, retryAfterSeconds: schedule.retryAfterS)
        let outcome = withStoreResult { s in
            try request.queue(store: s, settings: config.outbound, notes: HandlingNotes(dataDirectory: config.dataDirectory), at: now())
        }
        switch outcome {
        case .success(let queued):
            let asked = queued.job.request
            guard queued.created || (asked.caseNumber == number && asked.number == schedule.number) else {
                throw .conflict("call-back \(schedule.id) was scheduled before for case \(asked.caseNumber?.digits ?? "") to \(asked.number); use a new id")
            }
            if let warning = queued.noteWarning { notice("call-back \(schedule.id): \(warning)") }
            return Self.reply(queued.job, created: queued.created, noteWarning: queued.noteWarning)
        case .failure(let refusal as CallbackRequest.Refusal):
            switch refusal {
            case .invalid(let field, let why): throw .badRequest("$.\(field): \(why)")
            case .unknownCase(let why): throw .notFound(why)
            }
        case .failure(let error): throw .internalError("\(error)")
        }
    }

    /// The call-back queued under `id`.
    package func callback(_ id: String) throws(Failure) -> CallbackReply {
        let job = try withStore { s throws(CaseStore.StoreError) -> OutboundJob? in try s.outboundJob(clientID: id) }
        guard let job else { throw .notFound("no call-back \(id)") }
        return Self.reply(job, created: false)
    }

    /// Cancels the call-back queued under `id`; one already done keeps its outcome.
    package func cancelCallback(_ id: String) throws(Failure) -> CallbackReply {
        let job = try withStore { s throws(CaseStore.StoreError) -> OutboundJob? in
            guard let job = try s.outboundJob(clientID: id) else { return nil }
            return try s.cancelOutbound(id: job.id, at: now())
        }
        guard let job else { throw .notFound("no call-back \(id)") }
        return Self.reply(job, created: false)
    }

    private static func reply(_ job: OutboundJob, created: Bool, noteWarning: String? = nil) -> CallbackReply {
        CallbackReply(id: job.request.clientID, case: job.request.caseNumber?.digits ?? "", number: job.request.number, created: created, state: job.state,
                      attempts: job.attempts, maxAttempts: job.request.maxAttempts, nextAttemptAt: job.state == .queued ? StoreTime.string(job.nextAt) : nil,
                      expiresAt: StoreTime.string(job.request.expiresAt), outcome: job.outcome, rating: job.rating, noteWarning: noteWarning)
    }

    /// A recorded handling note for a case callers can ask after (this box's, or a remote one).
    package func setRecordedNote(_ numberText: String, wav: Data) throws(Failure) -> NoteReply {
        guard let number = try? AcceptanceNumber(validating: numberText) else { throw .badRequest("\(numberText) is not an acceptance number (8 digits with a valid check digit)") }
        let known = try withStore { s throws(CaseStore.StoreError) in try s.callerStatus(number) }
        guard known != nil else {
            throw .notFound("no case \(number.digits) on this box: set its status first (a number of another node is kept as a remote case)")
        }
        do {
            return NoteReply(case: number.digits, seconds: try HandlingNotes(dataDirectory: config.dataDirectory).record(wav, for: number))
        } catch let error as WAVError {
            throw .unprocessable("the note was refused; callers keep hearing the one in force", ["\(error)"])
        } catch let refused as HandlingNotes.Refused {
            throw .unprocessable("the note was refused; callers keep hearing the one in force", [refused.reason])
        } catch {
            throw .internalError("the note could not be kept: \(error)")
        }
    }

    package func push(_ kind: ContentKind, body: Data) throws(Failure) -> PushReply {
        do {
            // The time limit counts from the push's arrival, waiting for an earlier push included.
            let checks = ContentPush(store: content.store, active: content, timeLimit: .milliseconds(config.uplink.bounds.pushMs))
            let generation = try pushing.withLock { _ in try checks.push(kind, body: body) }
            pushed.withLock { $0.append(kind) }
            return PushReply(kind: kind.rawValue, generation: generation, sha256: ContentDigest.sha256Hex(body))
        } catch let refused as ContentPush.Refused {
            throw .unprocessable("the \(kind.rawValue) push was refused; the content in force keeps serving", refused.problems)
        } catch {
            throw .internalError("\(error)")
        }
    }

    /// One piece of a firmware bundle (FirmwareReceiver).
    package func receiveFirmware(sha256: String, piece: FirmwareReceiver.Piece, body: Data) throws(Failure) -> FirmwareTransfer {
        do { return try firmware.receive(sha256: sha256, piece: piece, body: body) } catch {
            switch error {
            case .badRequest(let m): throw .badRequest(m)
            case .conflict(let m): throw .conflict(m)
            case .tooLarge(let m): throw .tooLarge(m)
            case .noRoom(let m): throw .insufficientStorage(m)
            case .busy(let m): throw .busy(m)
            case .unprocessable(let m): throw .unprocessable("the firmware bundle was refused", [m])
            }
        }
    }

    package func contentInForce() -> ContentInForce {
        func generation(_ kind: ContentKind) -> String { content.store.active(kind)?.generation ?? "config" }
        return ContentInForce(prompts: generation(.prompts), flow: generation(.flow), documents: generation(.documents), calendar: generation(.calendar))
    }

    // MARK: Health

    package func health() throws(Failure) -> Health {
        let (latest, acked, pending, lastPull) = try withStore(.priority) { s throws(CaseStore.StoreError) in
            (try s.latestChange(), try s.ackedChange(), try s.pendingUplink(), try s.lastPull())
        }
        let free = DiskSpace.freeBytes(config.dataDirectory) ?? 0
        let cert = certificateState
        let numbers = try withStore(.priority) { s throws(CaseStore.StoreError) in try s.acceptanceNumbers() }
        let numbersWarning = numbers.used * 10 >= numbers.capacity * 8
            ? "\(numbers.used) of this node's \(numbers.capacity) acceptance numbers are used; ask the central office for a shorter node prefix before they run out" : nil
        let warnings = [cert?.warning, numbersWarning].compactMap { $0 } + boxWarnings.withLock { $0 }
        return Health(status: warnings.isEmpty ? .ok : .warning, node: config.nodePrefix.digits, startedAt: ISO8601DateFormatter().string(from: startedAt),
                      uptimeSeconds: Int(now().timeIntervalSince(startedAt)), latestChange: latest, ackedChange: acked,
                      pendingChanges: pending.changes, pendingMediaBytes: pending.mediaBytes, lastPull: lastPull, diskFreeBytes: free,
                      lines: lines.withLock { $0 }, content: contentInForce(), certificate: cert?.state, warnings: warnings)
    }

    /// Prometheus text exposition: the box's figures (BoxMetrics, as its textfile has them, less
    /// the line states it holds only as text), then the uplink's own.
    package func metrics() throws(Failure) -> String {
        let h = try health()
        var box = BoxMetrics()
        (box.calls, box.cases, box.outbound) = try withStore(.priority) { s throws(CaseStore.StoreError) in
            let totals = try s.totals()
            return (totals.calls, totals.cases, try s.outboundTotals())
        }
        box.diskFreeBytes = h.diskFreeBytes
        box.diskReserveBytes = config.disk.reserveBytes
        box.lastPull = h.lastPull.flatMap(StoreTime.date)
        box.certificateDaysLeft = h.certificate?.daysLeft
        var out = PrometheusText()
        let c = connections.counts
        for (name, value, help, kind) in [("hotline_uplink_connections", c.open, "Uplink connections open (at most \(connections.limit)).", PrometheusText.Kind.gauge),
                                          ("hotline_uplink_connections_established", c.established, "Uplink connections past their TLS handshake.", .gauge),
                                          ("hotline_uplink_connections_evicted_total", c.evicted, "Connections closed to make way: strangers in their handshake first, then idle ones.", .counter),
                                          ("hotline_uplink_connections_refused_total", c.refused, "Connections refused with every place serving a request.", .counter),
                                          ("hotline_uplink_connections_timed_out_total", c.timedOut, "Connections cut by a handshake, idle or request deadline.", .counter),
                                          ("hotline_changes_pending", h.pendingChanges, "Changes the central office has not acked.", .gauge),
                                          ("hotline_media_pending_bytes", h.pendingMediaBytes, "Bytes of media (as stored) not acked yet.", .gauge),
                                          ("hotline_uptime_seconds", h.uptimeSeconds, "Seconds since the uplink started.", .gauge)] {
            out.add(name, kind, help: help, value)
        }
        return box.text + out.text
    }
}
