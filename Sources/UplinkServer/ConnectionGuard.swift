import Box
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import NIOSSL
import NIOTLS
import Synchronization

/// Every connection the uplink holds, so their number stays under `max_connections` whatever
/// peers do. A connection that has not yet completed its TLS handshake (for plain HTTP: sent its
/// first byte) is a stranger. When the ledger is full, a new connection takes the place of the
/// oldest stranger, or failing that of the oldest established connection with no request in
/// progress; only when every place is serving a request is it refused. So a flood of idle or
/// stalled connections, or of enrolled clients keeping connections alive, can delay the central
/// office by one handshake but never lock it out, and no request in progress is cut.
package final class ConnectionLedger: Sendable {
    private struct Entry {
        let channel: any Channel
        let order: UInt64
        var established: Bool
        var inRequest = false
    }

    private struct State {
        var next: UInt64 = 0
        var open: [ObjectIdentifier: Entry] = [:]
        var counts = Counts()
    }

    /// What the ledger has done, for metrics and the flood benchmark.
    package struct Counts: Sendable, Equatable {
        package var open = 0
        package var established = 0
        package var evicted = 0
        /// Refused with every place serving a request.
        package var refused = 0
        package var timedOut = 0
    }

    package let limit: Int
    private let state = Mutex(State())

    package init(limit: Int) { self.limit = limit }

    package var counts: Counts {
        state.withLock { s in
            var c = s.counts
            c.open = s.open.count
            c.established = s.open.values.count { $0.established }
            return c
        }
    }

    /// Takes a new connection; false when every place is serving a request.
    func admit(_ channel: any Channel) -> Bool {
        let (admitted, evict): (Bool, (any Channel)?) = state.withLock { s in
            var evict: (any Channel)?
            if s.open.count >= limit {
                let strangers = s.open.filter { !$0.value.established }, idle = s.open.filter { $0.value.established && !$0.value.inRequest }
                guard let oldest = (strangers.isEmpty ? idle : strangers).min(by: { $0.value.order < $1.value.order }) else {
                    s.counts.refused += 1
                    return (false, nil)
                }
                s.open[oldest.key] = nil
                s.counts.evicted += 1
                evict = oldest.value.channel
            }
            s.next += 1
            s.open[ObjectIdentifier(channel)] = Entry(channel: channel, order: s.next, established: false)
            return (true, evict)
        }
        evict?.close(promise: nil)
        return admitted
    }

    func established(_ channel: any Channel) {
        state.withLock { $0.open[ObjectIdentifier(channel)]?.established = true }
    }

    /// Closes the context's connection after `ms` unless the returned task is cancelled first,
    /// counting it as timed out: every deadline of a connection is one of these.
    func deadline(_ context: ChannelHandlerContext, ms: Int) -> Scheduled<Void> {
        let channel = context.channel
        return context.eventLoop.scheduleTask(in: .milliseconds(Int64(ms))) { [self] in
            state.withLock { $0.counts.timedOut += 1 }
            channel.close(promise: nil)
        }
    }

    func serving(_ channel: any Channel, _ busy: Bool) {
        state.withLock { $0.open[ObjectIdentifier(channel)]?.inRequest = busy }
    }

    func closed(_ channel: any Channel) {
        _ = state.withLock { $0.open.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}

/// A child channel (TLS or plain HTTP/1) under the uplink's bounds: admitted by the ledger, cut
/// when its handshake or a request takes too long, or when nothing moves for the idle time.
package struct GuardedChannel<Base: ServerChildChannel>: ServerChildChannel {
    package typealias Value = Base.Value
    let base: Base
    let ledger: ConnectionLedger
    let bounds: UplinkBounds

    package func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard ledger.admit(channel) else {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(ChannelError.inputClosed)
        }
        channel.closeFuture.whenComplete { [ledger] _ in ledger.closed(channel) }
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let tls = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            let deadlines = ConnectionDeadlines(ledger: ledger, bounds: bounds, handshakeEvent: tls != nil)
            // After the TLS handler, where its handshake event arrives; first for plain HTTP.
            try channel.pipeline.syncOperations.addHandler(deadlines, position: tls.map { .after($0) } ?? .first)
            return value
        }
    }

    package func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// The handshake deadline and the idle deadline of one connection.
final class ConnectionDeadlines: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    private let ledger: ConnectionLedger
    private let bounds: UplinkBounds
    /// True behind TLS: established at the handshake event; plain HTTP at its first byte.
    private let handshakeEvent: Bool
    private var established = false
    private var handshake: Scheduled<Void>?
    private var idle: Scheduled<Void>?

    init(ledger: ConnectionLedger, bounds: UplinkBounds, handshakeEvent: Bool) {
        self.ledger = ledger
        self.bounds = bounds
        self.handshakeEvent = handshakeEvent
    }

    func handlerAdded(context: ChannelHandlerContext) {
        handshake = ledger.deadline(context, ms: bounds.handshakeMs)
        armIdle(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        handshake?.cancel()
        idle?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !handshakeEvent { establish(context) }
        armIdle(context)
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { establish(context) }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        armIdle(context)
        context.write(data, promise: promise)
    }

    private func establish(_ context: ChannelHandlerContext) {
        guard !established else { return }
        established = true
        handshake?.cancel()
        ledger.established(context.channel)
    }

    private func armIdle(_ context: ChannelHandlerContext) {
        idle?.cancel()
        idle = ledger.deadline(context, ms: bounds.idleMs)
    }
}

/// From a request's head to its answer's head: `request_timeout`, or `push_timeout` for a
/// content push. A request that takes longer has its connection closed.
final class RequestDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let bounds: UplinkBounds
    private let ledger: ConnectionLedger
    private var pending: Scheduled<Void>?

    init(bounds: UplinkBounds, ledger: ConnectionLedger) {
        self.bounds = bounds
        self.ledger = ledger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let request) = unwrapInboundIn(data), pending == nil {
            ledger.serving(context.channel, true)
            let push = request.method == .put && (request.path ?? "").hasPrefix("/v1/content/")
            pending = ledger.deadline(context, ms: push ? bounds.pushMs : bounds.requestMs)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head:
            pending?.cancel()
            pending = nil
        case .end:
            ledger.serving(context.channel, false)
        case .body:
            break
        }
        context.write(data, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) { pending?.cancel() }
}
