// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "hotline-node",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "appliance", targets: ["Appliance"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .systemLibrary(
            name: "CSpanDSP",
            pkgConfig: "spandsp",
            providers: [.apt(["libspandsp-dev", "libtiff-dev"])]
        ),
        .target(name: "CDahdi"),
        .systemLibrary(
            name: "COpusEnc",
            pkgConfig: "libopusenc",
            providers: [.apt(["libopusenc-dev", "libopus-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CGPIOD",
            pkgConfig: "libgpiod",
            providers: [.apt(["libgpiod-dev"])]
        ),
        .target(name: "DSP", dependencies: ["CSpanDSP"]),
        .systemLibrary(name: "CAlsa", pkgConfig: "alsa", providers: [.apt(["libasound2-dev"])]),
        .target(name: "LineDriver", dependencies: ["DSP", "CDahdi", "CAlsa", "CGPIOD"]),
        .target(name: "LocalDB", dependencies: ["CSQLite", .product(name: "Crypto", package: "swift-crypto")]),
        .executableTarget(
            name: "Appliance",
            dependencies: [
                "DSP", "LineDriver", "LocalDB", "CGPIOD", "COpusEnc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Helpers the test targets share (speech, scratch directories, running tools).
        .target(name: "TestSupport", dependencies: ["DSP", "LineDriver"], path: "Tests/TestSupport"),
        // Counts heap allocations on the calling thread, to prove the frame path allocates none.
        .target(name: "CAllocationCounter", path: "Tests/CAllocationCounter"),
        .testTarget(name: "DSPTests", dependencies: ["DSP", "TestSupport"]),
        .testTarget(name: "LineDriverTests", dependencies: ["LineDriver", "TestSupport", "CAllocationCounter"]),
        .testTarget(name: "LocalDBTests", dependencies: ["LocalDB", "TestSupport"]),
        // Pseudo-terminals for the console tests.
        .target(name: "CPseudoTerminal", path: "Tests/CPseudoTerminal"),
        .testTarget(name: "ApplianceTests", dependencies: [
            "Appliance", "DSP", "TestSupport", "CPseudoTerminal",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "Yams", package: "Yams"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
