/// A firmware bundle on its way to a box (`PUT /v1/content/firmware`, a piece at a time).
package struct FirmwareTransfer: Codable, Sendable, Equatable {
    /// The bundle's SHA-256 (hex), which names it from the first piece on.
    package var sha256: String
    package var received: Int
    package var total: Int
    /// Every byte arrived, hashed to `sha256`, and RAUC was given the bundle.
    package var handedToRAUC: Bool
    /// What the box's updater says of it (`update status`'s last line).
    package var update: String?

    enum CodingKeys: String, CodingKey {
        case sha256, received, total
        case handedToRAUC = "handed_to_rauc"
        case update
    }

    package init(sha256: String, received: Int, total: Int, handedToRAUC: Bool, update: String?) {
        self.sha256 = sha256
        self.received = received
        self.total = total
        self.handedToRAUC = handedToRAUC
        self.update = update
    }
}

/// `GET /v1/content/firmware`: the bundle being received (or the last one handed to RAUC), and
/// what `update status` says: both slots with their versions, and the last install.
package struct FirmwareState: Codable, Sendable, Equatable {
    package var transfer: FirmwareTransfer?
    package var update: [String]

    package init(transfer: FirmwareTransfer?, update: [String]) {
        self.transfer = transfer
        self.update = update
    }
}
