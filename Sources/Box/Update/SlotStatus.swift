import Foundation

/// The box's two root slots as RAUC reports them (`rauc status --detailed --output-format=json`): which
/// one is booted, which the bootloader tries first, and each one's bundle version and boot
/// status. What the console's `update status` and the uplink's health show.
package struct SlotStatus: Equatable, Sendable {
    package struct Slot: Equatable, Sendable {
        package var name: String
        package var bootname: String
        package var booted: Bool
        package var version: String?
        package var bootStatus: String?
    }
    package var slots: [Slot]
    package var primary: String?

    package enum Problem: Error, CustomStringConvertible, Equatable {
        case notJSON
        case missing(String)
        package var description: String {
            switch self {
            case .notJSON: "rauc status: the answer is not JSON"
            case .missing(let path): "rauc status: \(path) missing"
            }
        }
    }

    /// Reads RAUC's JSON; only root slots (class rootfs) count.
    package init(raucJSON data: Data) throws(Problem) {
        guard let top = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw .notJSON }
        guard let list = top["slots"] as? [[String: Any]] else { throw .missing("$.slots") }
        var slots: [Slot] = []
        for entry in list {
            for (name, value) in entry {
                guard let slot = value as? [String: Any], (slot["class"] as? String) == "rootfs" else { continue }
                let bundle = (slot["slot_status"] as? [String: Any])?["bundle"] as? [String: Any]
                slots.append(Slot(name: name, bootname: slot["bootname"] as? String ?? name, booted: (slot["state"] as? String) == "booted",
                                  version: bundle?["version"] as? String, bootStatus: slot["boot_status"] as? String))
            }
        }
        self.slots = slots.sorted { $0.bootname < $1.bootname }
        primary = (top["boot_primary"] as? String).flatMap { p in slots.first { $0.name == p }?.bootname }
    }

    package var booted: Slot? { slots.first(where: \.booted) }

    /// One line per slot: `slot A: 0.15.0, good, booted, primary`.
    package var lines: [String] {
        slots.map { s in
            "slot \(s.bootname): " + ([s.version ?? "version unknown (flashed, not installed by RAUC)", s.bootStatus, s.booted ? "booted" : nil,
                                       s.bootname == primary ? "primary" : nil].compactMap { $0 }.joined(separator: ", "))
        }
    }
}
