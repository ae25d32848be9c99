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
    ],
    targets: [
        .systemLibrary(
            name: "CSpanDSP",
            pkgConfig: "spandsp",
            providers: [.apt(["libspandsp-dev", "libtiff-dev"])]
        ),
        .target(name: "CDahdi"),
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
        .target(name: "LineDriver", dependencies: ["DSP", "CDahdi"]),
        .target(name: "LocalDB", dependencies: ["CSQLite", .product(name: "Crypto", package: "swift-crypto")]),
        .executableTarget(
            name: "Appliance",
            dependencies: [
                "DSP", "LineDriver", "LocalDB", "CGPIOD",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Helpers the test targets share (speech, scratch directories, running tools).
        .target(name: "TestSupport", dependencies: ["DSP"], path: "Tests/TestSupport"),
        // Counts heap allocations on the calling thread, to prove the frame path allocates none.
        .target(name: "CAllocationCounter", path: "Tests/CAllocationCounter"),
        .testTarget(name: "DSPTests", dependencies: ["DSP", "TestSupport"]),
        .testTarget(name: "LineDriverTests", dependencies: ["LineDriver", "TestSupport", "CAllocationCounter"]),
        .testTarget(name: "LocalDBTests", dependencies: ["LocalDB", "TestSupport"]),
        // Pseudo-terminals for the console tests.
        .target(name: "CPseudoTerminal", path: "Tests/CPseudoTerminal"),
        .testTarget(name: "ApplianceTests", dependencies: ["Appliance", "DSP", "TestSupport", "CPseudoTerminal"]),
    ],
    swiftLanguageModes: [.v6]
)
