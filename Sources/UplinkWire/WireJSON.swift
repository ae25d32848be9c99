import Foundation

/// How both ends of the uplink write and read JSON: sorted keys and unescaped slashes (the
/// central office's journal lines compare as text), and decoding problems told as a JSON path
/// and what was expected there, never a crash or a silent default.
package enum WireJSON {
    package struct Problem: Error, CustomStringConvertible, Equatable {
        /// Where in the document, as a JSON path (`$`, `$.seq`, `$.changes[3].id`).
        package var path: String
        package var expected: String
        package var description: String { "\(path): \(expected)" }
    }

    package static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every wire type encodes: strings, integers, booleans, finite doubles from JSON.
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    package static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(Problem) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw inexactNumber(in: data) ?? problem(error)
        } catch {
            throw Problem(path: "$", expected: "a JSON document (\(error))")
        }
    }

    static func problem(_ error: DecodingError) -> Problem {
        switch error {
        case .keyNotFound(let key, let context):
            return Problem(path: path(context.codingPath + [key]), expected: "missing")
        case .typeMismatch(let type, let context):
            return Problem(path: path(context.codingPath), expected: "must be \(name(of: type))")
        case .valueNotFound(let type, let context):
            return Problem(path: path(context.codingPath), expected: "must be \(name(of: type)), not null")
        case .dataCorrupted(let context):
            let problem = context.codingPath.isEmpty ? "not valid JSON" : context.debugDescription
            return Problem(path: path(context.codingPath), expected: problem)
        @unknown default:
            return Problem(path: "$", expected: "\(error)")
        }
    }

    /// Foundation's decoder calls a number that does not fit an integer field (1.5, 1e300)
    /// "not valid JSON" and gives no path; the document is valid JSON, so name that number.
    static func inexactNumber(in data: Data) -> Problem? {
        guard let document = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        func find(_ value: Any, _ path: String) -> Problem? {
            switch value {
            case let object as [String: Any]:
                return object.keys.sorted().lazy.compactMap { find(object[$0]!, "\(path).\($0)") }.first
            case let list as [Any]:
                return list.indices.lazy.compactMap { find(list[$0], "\(path)[\($0)]") }.first
            case let number as NSNumber where !(number is Bool) && Int(exactly: number.doubleValue) == nil:
                return Problem(path: path, expected: "must be a whole number within range, not \(number)")
            default:
                return nil
            }
        }
        return find(document, "$")
    }

    static func path(_ keys: [any CodingKey]) -> String {
        "$" + keys.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
    }

    static func name(of type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default: "\(type)".hasPrefix("Array") ? "a list" : "an object"
        }
    }
}
