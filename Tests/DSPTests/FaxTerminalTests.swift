import DSP
import Foundation
import TestSupport
import Testing

@Suite(.tags(.unit)) struct FaxTerminalTests {
    let scratch: ScratchDirectory

    init() throws { scratch = try ScratchDirectory() }

    func path(_ name: String) -> String { scratch.path(name) }

    func twoPageDocument() throws -> (String, [FaxPage]) {
        let pages = [FaxPage.testChart(number: 1), FaxPage.testChart(number: 2)]
        let doc = path("doc.tif")
        try FaxDocument.write(pages, to: doc)
        return (doc, pages)
    }

    @Test(arguments: [(true, 14400), (false, 14400), (true, 9600), (false, 9600)] as [(Bool, Int)])
    func twoPagesArriveIdentical(ecm: Bool, rate: Int) throws {
        let (doc, pages) = try twoPageDocument()
        let outcome = try FaxLoopback.run(document: doc, received: path("rx.tif"), ecm: ecm, maxBitRate: rate)
        for result in [outcome.sender, outcome.receiver] {
            #expect(result.success, "\(result.completionText)")
            #expect(result.completionCode == 0)
            #expect(result.pages == 2)
            #expect(result.bitRate == rate)
            #expect(result.ecmUsed == ecm)
            #expect(result.badRows == 0)
        }
        #expect(outcome.receiver.remoteIdent == "SELFTEST TX")
        #expect(outcome.sender.remoteIdent == "SELFTEST RX")
        #expect(try FaxDocument.read(path("rx.tif")) == pages)
    }

    @Test func aNoisyLineEndsInFailureWithinTheBound() throws {
        let (doc, _) = try twoPageDocument()
        let outcome = try FaxLoopback.run(document: doc, received: path("rx.tif"), noiseDBm0: -35, maxDurationSeconds: 120)
        #expect(!outcome.receiver.success || !outcome.sender.success)
        #expect(outcome.sender.durationMs <= 120_000)
        #expect(outcome.receiver.durationMs <= 120_000)
    }

    @Test func aSilentFarEndHitsTheBoundWithAClearFailure() throws {
        let (doc, _) = try twoPageDocument()
        let terminal = try FaxTerminal(FaxSessionConfig(direction: .send(tiff: doc), callingParty: true, maxDurationSeconds: 10))
        let silence = [Int16](repeating: 0, count: 160)
        var out = [Int16](repeating: 0, count: 160)
        var frames = 0
        while !terminal.isFinished && frames < 100_000 {
            silence.withUnsafeBufferPointer { rx in out.withUnsafeMutableBufferPointer { terminal.process(received: rx, transmit: $0) } }
            frames += 1
        }
        let result = try #require(terminal.result)
        #expect(!result.success)
        #expect(result.durationMs <= 10_000)
        #expect(result.completionText.isEmpty == false)
    }

    @Test func aTextFileIsRefusedAsADocument() throws {
        try "hello".write(toFile: path("notes.tif"), atomically: true, encoding: .utf8)
        let error = #expect(throws: FaxSessionError.self) {
            try FaxTerminal(FaxSessionConfig(direction: .send(tiff: path("notes.tif")), callingParty: true))
        }
        #expect(error?.description == "\(path("notes.tif")): not a TIFF file (starts with 68 65 6c 6c)")
    }

    @Test func aMissingDocumentIsNamed() {
        let error = #expect(throws: FaxSessionError.self) {
            try FaxTerminal(FaxSessionConfig(direction: .send(tiff: path("none.tif")), callingParty: true))
        }
        #expect(error?.description == "\(path("none.tif")): cannot read: no such file")
    }

    @Test func aColourOrOddSizedImageIsRefused() throws {
        let odd = FaxPage(width: 1000, rows: [[UInt8]](repeating: [0], count: 10))
        #expect(throws: FaxDocumentError.badPage(path: path("odd.tif"), page: 1, reason: "width 1000 pixels; fax needs 1728, 2048 or 2432")) {
            try FaxDocument.write([odd], to: path("odd.tif"))
        }
        // A truncated TIFF: valid header, nothing after it.
        let (doc, _) = try twoPageDocument()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: doc))
        try bytes.prefix(200).write(to: URL(fileURLWithPath: path("cut.tif")))
        #expect(throws: FaxDocumentError.self) { try FaxDocument.read(path("cut.tif")) }
    }

    @Test func badSessionParametersAreRefused() throws {
        let (doc, _) = try twoPageDocument()
        #expect(throws: FaxSessionError.badBitRate(12000)) {
            try FaxTerminal(FaxSessionConfig(direction: .send(tiff: doc), callingParty: true, maxBitRate: 12000))
        }
        #expect(throws: FaxSessionError.badIdent("a station ident that is far too long")) {
            try FaxTerminal(FaxSessionConfig(direction: .send(tiff: doc), callingParty: true, ident: "a station ident that is far too long"))
        }
        #expect(throws: FaxSessionError.receiveDirectory("/nonexistent")) {
            try FaxTerminal(FaxSessionConfig(direction: .receive(tiff: "/nonexistent/rx.tif"), callingParty: false))
        }
    }
}
