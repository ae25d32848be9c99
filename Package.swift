// swift-tools-version:6.0
import PackageDescription

// The module graph runs one way, bottom to top (docs/ARCHITECTURE.md; Tests/ArchitectureTests
// checks it): C shims → SystemSupport, HotlineModel → DSP, UplinkWire → LineDriver, LocalDB →
// LineSimulator, IVR → Box → UplinkServer, Central → Lab → the three executables.
let framePath: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "hotline-node",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "appliance", targets: ["Appliance"]),
        .executable(name: "hotline-central", targets: ["HotlineCentral"]),
        .executable(name: "hotline-lab", targets: ["HotlineLab"]),
        .executable(name: "hotline-fuzz", targets: ["HotlineFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.0"),
    ],
    targets: [
        // C shims: system libraries and the DAHDI ioctl wrappers.
        .systemLibrary(name: "CSpanDSP", pkgConfig: "spandsp", providers: [.apt(["libspandsp-dev", "libtiff-dev"])]),
        .target(name: "CDahdi"),
        .systemLibrary(name: "COpusEnc", pkgConfig: "libopusenc", providers: [.apt(["libopusenc-dev", "libopus-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CGPIOD", pkgConfig: "libgpiod", providers: [.apt(["libgpiod-dev"])]),
        .systemLibrary(name: "CAlsa", pkgConfig: "alsa", providers: [.apt(["libasound2-dev"])]),
        .systemLibrary(name: "CGzip", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCrypt", pkgConfig: "libcrypt", providers: [.apt(["libcrypt-dev"])]),

        // Foundations every layer may use.
        .target(name: "SystemSupport", dependencies: [
            "CCrypt",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
        .target(name: "HotlineModel"),

        // Signals and lines. The frame path is real time, so it is optimized in every build:
        // debug binaries keep up with a line (the VM stage runs them under emulation) and the
        // tests' simulated calls run at release speed.
        .target(name: "DSP", dependencies: ["CSpanDSP"], swiftSettings: framePath),
        .target(name: "LineDriver", dependencies: ["DSP", "HotlineModel", "SystemSupport", "CDahdi", "CAlsa", "CGPIOD"],
                swiftSettings: framePath),
        .target(name: "LocalDB", dependencies: ["CSQLite", "HotlineModel", "SystemSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "LineSimulator", dependencies: ["DSP", "LineDriver", "CDahdi"], swiftSettings: framePath),
        .target(name: "IVR", dependencies: ["DSP", "HotlineModel", "SystemSupport", .product(name: "Yams", package: "Yams")]),

        // The box.
        .target(name: "Box", dependencies: [
            "DSP", "LineDriver", "LineSimulator", "LocalDB", "IVR", "HotlineModel", "SystemSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // The uplink: the protocol both ends share, the box's server, the central office.
        .target(name: "UplinkWire", dependencies: [
            "SystemSupport", "HotlineModel",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "UplinkServer", dependencies: [
            "Box", "UplinkWire", "LocalDB", "DSP", "HotlineModel", "SystemSupport", "COpusEnc", "CGzip",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "Central", dependencies: [
            "SystemSupport", "UplinkWire", "HotlineModel",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // Simulation and bench tools for development and CI.
        .target(name: "Lab", dependencies: [
            "Box", "UplinkServer", "Central", "UplinkWire", "LineSimulator", "LineDriver", "LocalDB", "DSP", "HotlineModel",
            "SystemSupport",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),

        // libFuzzer harnesses (`make fuzz`); built plainly they replay a corpus.
        .executableTarget(name: "HotlineFuzz", dependencies: ["IVR", "Box", "DSP", "Lab", "UplinkWire", "HotlineModel"], path: "Fuzz/Harnesses"),

        // The three executables.
        .executableTarget(name: "Appliance", dependencies: [
            "Box", "UplinkServer", "UplinkWire", "LineDriver", "HotlineModel", "SystemSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "HotlineCentral", dependencies: [
            "Central", "UplinkWire", "HotlineModel", "SystemSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "HotlineLab", dependencies: [
            "Lab", "SystemSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Helpers the test targets share (speech, scratch directories, running tools, tags).
        .target(name: "TestSupport", dependencies: ["DSP", "LineDriver"], path: "Tests/TestSupport"),
        // The simulated box the system tests drive.
        .target(name: "SystemTestSupport", dependencies: ["Lab", "Box", "IVR", "LocalDB", "DSP", "HotlineModel", "LineSimulator", "TestSupport"],
                path: "Tests/SystemTestSupport"),
        // Counts heap allocations on the calling thread, to prove the frame path allocates none.
        .target(name: "CAllocationCounter", path: "Tests/CAllocationCounter"),
        // Pseudo-terminals for the console tests.
        .target(name: "CPseudoTerminal", path: "Tests/CPseudoTerminal"),

        .testTarget(name: "DSPTests", dependencies: ["DSP", "TestSupport"]),
        .testTarget(name: "LineDriverTests", dependencies: ["LineDriver", "LineSimulator", "HotlineModel", "DSP", "TestSupport", "CAllocationCounter"]),
        .testTarget(name: "LocalDBTests", dependencies: ["LocalDB", "HotlineModel", "TestSupport"]),
        .testTarget(name: "IVRTests", dependencies: ["IVR", "HotlineModel", "DSP", "Box", "TestSupport", "SystemTestSupport"]),
        .testTarget(name: "BoxTests", dependencies: [
            "Box", "IVR", "Lab", "LineDriver", "LineSimulator", "LocalDB", "DSP", "HotlineModel", "SystemSupport", "TestSupport", "SystemTestSupport",
            "CPseudoTerminal",
        ]),
        .testTarget(name: "UplinkTests", dependencies: [
            "UplinkServer", "UplinkWire", "Central", "Lab", "Box", "LocalDB", "DSP", "HotlineModel", "SystemSupport", "TestSupport", "SystemTestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        .testTarget(name: "LabTests", dependencies: ["Lab", "Box", "IVR", "LocalDB", "DSP", "HotlineModel", "TestSupport", "SystemTestSupport", "CPseudoTerminal"]),
        .testTarget(name: "SupportTests", dependencies: [
            "SystemSupport", "UplinkWire", "TestSupport", .product(name: "SystemPackage", package: "swift-system"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ArchitectureTests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
