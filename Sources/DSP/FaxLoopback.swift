/// Two fax terminals wired back to back in line time: the self-test of the fax path, and the
/// way tests check a document survives a transfer.
public enum FaxLoopback {
    public struct Outcome: Sendable, Equatable {
        public var sender: FaxResult
        public var receiver: FaxResult
    }

    /// Sends `document` from a calling terminal to an answering one that writes `received`.
    /// `noiseDBm0` adds white noise to both directions.
    public static func run(document: String, received: String, ecm: Bool = true, maxBitRate: Int = 14400,
                           noiseDBm0: Double? = nil, maxDurationSeconds: Int = 300) throws(FaxSessionError) -> Outcome {
        let sender = try FaxTerminal(FaxSessionConfig(direction: .send(tiff: document), callingParty: true, ecm: ecm,
                                                      maxBitRate: maxBitRate, ident: "SELFTEST TX", maxDurationSeconds: maxDurationSeconds))
        let receiver = try FaxTerminal(FaxSessionConfig(direction: .receive(tiff: received), callingParty: false, ecm: ecm,
                                                        maxBitRate: maxBitRate, ident: "SELFTEST RX", maxDurationSeconds: maxDurationSeconds))
        let noise = noiseDBm0.map { (NoiseGenerator(levelDBm0: $0, seed: 1), NoiseGenerator(levelDBm0: $0, seed: 2)) }
        var toReceiver = [Int16](repeating: 0, count: 160)
        var toSender = [Int16](repeating: 0, count: 160)
        // Each side hears what the other sent in the previous block. Both terminals carry the
        // time bound, so the loop ends even when one side never hears the other finish.
        while !(sender.isFinished && receiver.isFinished) {
            let heardBySender = toSender, heardByReceiver = toReceiver
            heardBySender.withUnsafeBufferPointer { rx in
                toReceiver.withUnsafeMutableBufferPointer { sender.process(received: rx, transmit: $0) }
            }
            heardByReceiver.withUnsafeBufferPointer { rx in
                toSender.withUnsafeMutableBufferPointer { receiver.process(received: rx, transmit: $0) }
            }
            if let (a, b) = noise {
                toReceiver.withUnsafeMutableBufferPointer { a.add(to: $0) }
                toSender.withUnsafeMutableBufferPointer { b.add(to: $0) }
            }
        }
        return Outcome(sender: sender.result!, receiver: receiver.result!)
    }
}

extension FaxPage {
    /// A recognisable test chart: a border, a checkerboard band whose square size depends on the
    /// page number, and diagonal stripes; enough structure that a lost or shifted row shows.
    public static func testChart(number: Int, rows: Int = 400) -> FaxPage {
        let width = FaxPage.standardWidth
        let bytes = width / 8
        let square = 8 * (number % 4 + 1)
        var out: [[UInt8]] = []
        for y in 0..<rows {
            var row = [UInt8](repeating: 0, count: bytes)
            for x in 0..<width {
                let border = y < 4 || y >= rows - 4 || x < 16 || x >= width - 16
                let checker = y >= 40 && y < 200 && ((x / square) + (y / square)) % 2 == 0
                let stripe = y >= 220 && y < rows - 20 && (x + y + 7 * number) % 48 < 6
                if border || checker || stripe { row[x / 8] |= 0x80 >> UInt8(x % 8) }
            }
            out.append(row)
        }
        return FaxPage(width: width, rows: out, linesPerInch: 196)
    }
}
