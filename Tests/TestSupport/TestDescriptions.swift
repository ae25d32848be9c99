import DSP
import Testing

// Readable names for parameterized test cases, declared once for every test target.
extension CallerID: CustomTestStringConvertible {
    public var testDescription: String { keyValueLines.joined(separator: " ") }
}
