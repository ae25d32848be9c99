import Foundation
import TestSupport
import Testing

/// The package's module graph as `swift package describe` reports it, checked against the rules
/// in docs/ARCHITECTURE.md: imports run one way, the firmware carries no central-office or lab
/// code, every import is declared, and no library grows into a grab-bag again.
@Suite(.tags(.unit)) struct ModuleGraphTests {
    /// Each module's layer, bottom to top. A module may depend only on modules of lower layers;
    /// a new module must be given its place here (and in docs/ARCHITECTURE.md).
    static let layers: [[String]] = [
        ["CSpanDSP", "CDahdi", "CAlsa", "CGPIOD", "CSQLite", "COpusEnc", "CGzip", "CCrypt"],
        ["SystemSupport", "HotlineModel"],
        ["DSP", "UplinkWire"],
        ["LineDriver", "LocalDB"],
        ["LineSimulator", "IVR"],
        ["Box"],
        ["UplinkServer", "Central"],
        ["Lab"],
        ["Appliance", "HotlineCentral", "HotlineLab", "HotlineFuzz"],
    ]

    /// Modules that come with the toolchain and need no declaration.
    static let toolchainModules: Set<String> = ["Foundation", "FoundationEssentials", "Glibc", "Dispatch", "Synchronization", "Testing", "_Concurrency"]

    struct Target: Decodable {
        var name: String
        var type: String
        var path: String
        var module_type: String
        var target_dependencies: [String]?
        var product_dependencies: [String]?
        var sources: [String]?
        var dependencies: [String] { (target_dependencies ?? []) + (product_dependencies ?? []) }
    }

    struct Description: Decodable { var targets: [Target] }

    struct DescribeFailed: Error, CustomStringConvertible { var description: String }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// `swift package describe`, with a scratch path of its own: the tests run under `swift test`,
    /// which holds the package's own .build lock.
    static let describeOutput: Result<String, DescribeFailed> = {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("describe-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do {
            let r = try Tool.run("/usr/bin/env", ["swift", "package", "--package-path", root, "--scratch-path", scratch, "describe", "--type", "json"])
            guard r.status == 0 else { return .failure(DescribeFailed(description: "swift package describe failed: \(r.stderr)")) }
            return .success(r.stdout)
        } catch {
            return .failure(DescribeFailed(description: "swift package describe: \(error)"))
        }
    }()

    static let description: Result<Description, DescribeFailed> = describeOutput.flatMap { text in
        Result { try JSONDecoder().decode(Description.self, from: Data(text.utf8)) }.mapError { DescribeFailed(description: "\($0)") }
    }

    static func targets() throws -> [String: Target] {
        Dictionary(uniqueKeysWithValues: try description.get().targets.map { ($0.name, $0) })
    }

    static func layer(_ name: String) -> Int? { layers.firstIndex { $0.contains(name) } }

    /// Everything `name` links: its dependencies and theirs.
    static func closure(_ name: String, _ all: [String: Target]) -> Set<String> {
        var seen: Set<String> = []
        var queue = [name]
        while let next = queue.popLast() {
            for d in all[next]?.dependencies ?? [] where seen.insert(d).inserted { queue.append(d) }
        }
        return seen
    }

    static var shipped: [Target] {
        get throws { try targets().values.filter { $0.type != "test" && $0.path.hasPrefix("Sources/") }.sorted { $0.name < $1.name } }
    }

    @Test func everyModuleHasALayerAndDependsOnlyDownwards() throws {
        let all = try Self.targets()
        for target in try Self.shipped {
            let own = try #require(Self.layer(target.name), "\(target.name) has no layer in ModuleGraphTests.layers and docs/ARCHITECTURE.md")
            for dependency in target.target_dependencies ?? [] {
                let theirs = try #require(Self.layer(dependency), "\(dependency) has no layer")
                #expect(theirs < own, "\(target.name) (layer \(own)) depends on \(dependency) (layer \(theirs)), which is not below it")
            }
        }
        #expect(all["Appliance"]?.type == "executable" && all["HotlineCentral"]?.type == "executable" && all["HotlineLab"]?.type == "executable")
    }

    @Test func theFirmwareCarriesNoCentralOfficeOrLabCode() throws {
        let linked = Self.closure("Appliance", try Self.targets())
        #expect(!linked.contains("AsyncHTTPClient"), "appliance links AsyncHTTPClient")
        #expect(!linked.contains("Central") && !linked.contains("Lab"), "appliance links \(linked.intersection(["Central", "Lab"]).sorted())")
    }

    @Test func theCentralOfficeCarriesNoLineDrivers() throws {
        let linked = Self.closure("HotlineCentral", try Self.targets())
        let drivers: Set<String> = ["CSpanDSP", "CDahdi", "CAlsa", "CGPIOD"]
        #expect(linked.isDisjoint(with: drivers), "hotline-central links \(linked.intersection(drivers).sorted())")
    }

    /// What a module's files import is what the module declares, and what it declares it
    /// imports: nothing arrives transitively, nothing is declared for nothing.
    @Test func importsAreDeclaredAndDeclarationsAreImported() throws {
        for target in try Self.shipped where target.module_type == "SwiftTarget" {
            let imported = try Self.imports(target)
            let declared = Set(target.dependencies)
            let undeclared = imported.subtracting(declared).subtracting(Self.toolchainModules)
            #expect(undeclared.isEmpty, "\(target.name) imports \(undeclared.sorted()) without declaring them")
            let unused = declared.subtracting(imported)
            #expect(unused.isEmpty, "\(target.name) declares \(unused.sorted()) but imports none of them")
        }
    }

    /// docs/modules.dot is what `make graph` makes of the package as it is now.
    @Test func theCommittedGraphIsCurrent() throws {
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("describe-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        try Self.describeOutput.get().write(toFile: json, atomically: true, encoding: .utf8)
        let made = try Tool.run("/bin/sh", ["-c", "python3 '\(Self.root)/scripts/module-graph.py' < '\(json)'"])
        let committed = try String(contentsOfFile: "\(Self.root)/docs/modules.dot", encoding: .utf8)
        #expect(made.status == 0 && made.stdout == committed, "docs/modules.dot is stale: run make graph")
    }

    @Test func noLibraryHoldsMoreThanAThirdOfTheSources() throws {
        let libraries = try Self.shipped.filter { $0.type == "library" }
        let lines = try Dictionary(uniqueKeysWithValues: libraries.map { ($0.name, try Self.lineCount($0)) })
        let total = lines.values.reduce(0, +)
        for (name, count) in lines.sorted(by: { $0.key < $1.key }) {
            #expect(count * 3 <= total, "\(name) holds \(count) of \(total) lines in Sources/")
        }
    }

    static func files(_ target: Target) -> [String] {
        (target.sources ?? []).map { "\(root)/\(target.path)/\($0)" }
    }

    static func imports(_ target: Target) throws -> Set<String> {
        var out: Set<String> = []
        for file in files(target) where file.hasSuffix(".swift") {
            for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") {
                let words = line.split(separator: " ")
                if let i = words.firstIndex(of: "import"), i + 1 < words.count, words[..<i].allSatisfy({ $0.hasPrefix("@") }) {
                    out.insert(String(words[i + 1]))
                }
            }
        }
        return out
    }

    static func lineCount(_ target: Target) throws -> Int {
        try files(target).reduce(0) { $0 + (try String(contentsOfFile: $1, encoding: .utf8)).split(separator: "\n", omittingEmptySubsequences: false).count }
    }
}
