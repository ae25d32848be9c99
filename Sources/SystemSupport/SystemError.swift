import Foundation
import SystemPackage

/// A failed system call: what was attempted, on what, and the errno it left (with the C
/// library's message). One type for the DAHDI and GPIO drivers, the control socket, durable
/// files and the tools, instead of a string made at each call site.
public struct SystemError: Error, CustomStringConvertible, Equatable, Sendable {
    public let operation: String
    /// The path, device or name the call was about, when there is one.
    public let subject: String?
    public let errno: Errno

    public init(_ operation: String, _ subject: String? = nil, errno: Errno) {
        self.operation = operation
        self.subject = subject
        self.errno = errno
    }

    /// The error the call just made left in `errno`.
    public static func last(_ operation: String, _ subject: String? = nil) -> SystemError {
        SystemError(operation, subject, errno: Errno(rawValue: Glibc.errno))
    }

    public var description: String { (subject.map { "\($0): " } ?? "") + "\(operation): \(errno)" }
}

/// Calling the C library the same way everywhere.
public enum SystemCall {
    /// `call`'s result, calling again while it fails with EINTR when `retryingInterrupts`; a
    /// failure leaves errno as the call set it. Allocates nothing, so the frame thread may use it.
    @inline(__always)
    public static func result<T: BinaryInteger>(retryingInterrupts: Bool = true, _ call: () -> T) -> T {
        while true {
            let r = call()
            if r == -1 && retryingInterrupts && Glibc.errno == EINTR { continue }
            return r
        }
    }

    /// `call`'s result, or a `SystemError` naming `operation` and `subject` when it returns -1.
    @discardableResult
    public static func check<T: BinaryInteger>(_ operation: String, _ subject: String? = nil, retryingInterrupts: Bool = true,
                                               _ call: () -> T) throws(SystemError) -> T {
        let r = result(retryingInterrupts: retryingInterrupts, call)
        if r == -1 { throw SystemError.last(operation, subject) }
        return r
    }
}
