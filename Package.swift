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
        .target(name: "DSP", dependencies: ["CSpanDSP"]),
        .target(name: "LineDriver", dependencies: ["DSP", "CDahdi"]),
        .target(name: "LocalDB", dependencies: ["CSQLite"]),
        .executableTarget(
            name: "Appliance",
            dependencies: [
                "DSP", "LineDriver", "LocalDB",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "DSPTests", dependencies: ["DSP"]),
        .testTarget(name: "LineDriverTests", dependencies: ["LineDriver"]),
        .testTarget(name: "LocalDBTests", dependencies: ["LocalDB"]),
        .testTarget(name: "ApplianceTests", dependencies: ["Appliance", "DSP"]),
    ],
    swiftLanguageModes: [.v6]
)
