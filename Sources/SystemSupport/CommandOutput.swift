import ArgumentParser
import Foundation

/// A failure the user caused or can fix: printed as one line on stderr, exit status 2.
public struct CommandFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Pretty, sorted JSON on stdout: what every `--json` flag prints.
public func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

extension CommandFailure {
    /// Runs a command line: bad input (a file the user named, a value out of range) exits 2 with
    /// one clear line; everything else goes through ArgumentParser's usual handling.
    public static func main<Root: ParsableCommand>(as root: Root.Type) {
        do {
            var command = try Root.parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("error: \(failure.description)\n".utf8))
            Foundation.exit(2)
        } catch {
            Root.exit(withError: error)
        }
    }
}
