/// A request the central office turns down, in words for whoever asked (a clerk, a technician
/// at the command line): an unknown case, a box already enrolled, a bad password rule.
package struct CentralRefusal: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) { self.description = description }
}
