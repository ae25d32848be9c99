import Box
import Foundation

/// RAUC's command line as the box uses it, where RAUC cannot run (no slots, no bootloader: the
/// tests and `bench firmware`): a script answering `rauc status --detailed --output-format=json`
/// with RAUC 1.8's JSON, and `rauc install BUNDLE` by logging the bundle's SHA-256 to
/// `installs`, then either ending at once or running until a file `end` appears (RAUC answers no
/// status while it installs).
package enum SimulatedRAUC {
    /// `rauc status --detailed --output-format=json` of a two-slot box.
    package static func status(booted: String, primary: String, bVersion: String?, bStatus: String) -> Data {
        let bBundle = bVersion.map { #","slot_status":{"bundle":{"compatible":"hotline-district-node-amd64","version":"\#($0)"},"status":"ok"}"# } ?? ""
        return Data("""
            {"compatible":"hotline-district-node-amd64","variant":"","booted":"\(booted)","boot_primary":"\(primary)","slots":[
             {"efi.0":{"class":"efi","device":"/dev/vda1","type":"vfat","bootname":null,"state":"inactive","parent":null,"mountpoint":null}},
             {"rootfs.0":{"class":"rootfs","device":"/dev/disk/by-partlabel/rootfs-a","type":"ext4","bootname":"A","state":"\(booted == "A" ? "booted" : "inactive")","parent":null,"mountpoint":\(booted == "A" ? "\"/\"" : "null"),"boot_status":"good"}},
             {"rootfs.1":{"class":"rootfs","device":"/dev/disk/by-partlabel/rootfs-b","type":"ext4","bootname":"B","state":"\(booted == "B" ? "booted" : "inactive")","parent":null,"mountpoint":null,"boot_status":"\(bStatus)"\(bBundle)}}]}
            """.utf8)
    }

    /// The tools of a box whose RAUC is this script, in `directory`; the stick is directory/stick.
    package static func tools(in directory: String, installsUntilEnded: Bool) throws -> UpdateInstaller.Tools {
        func path(_ name: String) -> String { file(name, in: directory) }
        let json = path("status.json")
        try status(booted: "A", primary: "rootfs.0", bVersion: nil, bStatus: "bad").write(to: URL(fileURLWithPath: json))
        let wait = installsUntilEnded ? #"while [ ! -e \#(path("end")) ]; do sleep 0.05; done; "# : ""
        let script = """
            #!/bin/sh
            case "$1" in
            status) if [ -e \(path("installing")) ]; then echo "already processing a different method" >&2; exit 1; fi; cat \(json) ;;
            install) touch \(path("installing")); sha256sum "$2" | cut -d' ' -f1 >> \(path("installs")); echo "90% Copying image to rootfs.1"; \(wait)rm \(path("installing")) ;;
            esac
            """
        try script.write(toFile: path("rauc"), atomically: true, encoding: .utf8)
        chmod(path("rauc"), 0o755)
        try "".write(toFile: path("system.conf"), atomically: true, encoding: .utf8)
        var tools = UpdateInstaller.Tools()
        tools.rauc = path("rauc")
        tools.systemConfig = path("system.conf")
        tools.stick = path("stick")
        return tools
    }

    /// The digests of the bundles installed so far, in order.
    package static func installs(in directory: String) -> [String] {
        ((try? String(contentsOfFile: file("installs", in: directory), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The installs once there are `count` of them, or as they are after `seconds`: the box
    /// starts RAUC on a thread of its own, after its reply.
    package static func installs(in directory: String, awaiting count: Int, within seconds: Double) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var installs = installs(in: directory)
        while installs.count < count && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            installs = self.installs(in: directory)
        }
        return installs
    }

    private static func file(_ name: String, in directory: String) -> String { "\(directory)/\(name)" }
}
