/// A problem in a text file the technician or the central office wrote, with where it is.
public struct SourceError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}

/// Every problem one load found, in file order.
public struct SourceErrors: Error, CustomStringConvertible {
    public var errors: [SourceError]

    public init(errors: [SourceError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
