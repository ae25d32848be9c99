import DSP
import Foundation
import HotlineModel
import IVR
import LineDriver
import LocalDB
import SystemSupport
import Yams

/// The box's settings, from a YAML file (docs/CONFIG.md) or the embedded defaults: 4 simulated
/// lines, data under ./var, demo traffic.
package struct BoxConfig: Sendable {
    package var nodePrefix = NodePrefix("1")!
    package var nodePrefixSource = NodePrefixSource.unset
    package var dataDirectory = "var"
    package var lines = 4
    package var demoTraffic = true
    package var wholeCallRecording = true
    package var transferNumber: String?
    /// How a transfer reaches its number: a hook flash on the caller's line (the exchange joins
    /// the two), or, where the lines offer no flash transfer, a call on another free line that
    /// the box bridges to the caller's and stays on.
    package var transferMethod = TransferMethod.flash
    /// When each service is offered (`calendar:`); the transfer asks it whether the desk is open.
    package var calendar = BoxConfig.defaultCalendar
    package var faxIdent = "12345 HOTLINE"
    package var flowFile = "flows/seed.yaml"
    package var promptsFile = "prompts/cmn.yaml"
    package var documentsDirectory = "documents"
    /// Where the spoken prompt pack is kept; default DATA_DIR/prompts/cmn.
    package var promptCache: String?
    package var supervision = SupervisionConfig()
    /// The box's own echo canceller: its tail, and lines where it is switched on or off against
    /// the default (on for ALSA and simulated lines, off for DAHDI, whose kernel has one).
    package var echoCanceller = EchoCancellerSetting()
    /// The outbound queue: call-backs and fax sends.
    package var outbound = OutboundSettings()

    /// The flow a call-back runs: the `outbound:` section's, or callback.yaml beside the flow;
    /// `required` says whether the config named it (a missing one is then an error, and
    /// otherwise only turns call-backs off).
    package var callbackFlowFile: (path: String, required: Bool) {
        if let named = outbound.callbackFlowFile { return (named, true) }
        return (((flowFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent("callback.yaml"), false)
    }

    package struct EchoCancellerSetting: Sendable, Equatable {
        package var tailMs = 32
        package var lines: [Int: Bool] = [:]

        /// The channels that run it on `backend` with `count` lines.
        package func channels(_ backend: LineBackendKind, count: Int) -> Set<Int> {
            let byDefault: Bool = switch backend {
            case .simulated, .alsa: true
            case .dahdi: false
            }
            return Set((0..<count).filter { lines[$0] ?? byDefault })
        }
    }
    /// The control socket (default DATA_DIR/control.sock).
    package var controlSocket: String?
    /// Where the box writes its figures for node-exporter's textfile collector (a `.prom` file,
    /// rewritten every 15 s); nil: not written.
    package var metricsFile: String?
    /// The technicians' PIN for the serial console, hashed (`appliance console --hash-pin`).
    package var consolePINHash: String?
    package var consoleLockoutAfter = 5
    package var consoleLockoutSeconds = 300
    package var rebootCommand = ["/bin/systemctl", "reboot"]
    package var shutdownCommand = ["/bin/systemctl", "poweroff"]

    package var uplink = UplinkConfig()
    package var disk = DiskGuard()
    /// Where the box learns the data disk's free bytes; nil: statvfs of the data directory (a
    /// bench or test puts a disk of any size here).
    package var diskFreeBytes: (@Sendable () -> Int)?
    /// The wall clock at a moment of line time, for virtual time; nil: the start plus line time
    /// (a test sets the clock jumping here). Real time reads the system's clock.
    package var virtualWallClock: (@Sendable (_ lineMs: Int) -> Date)?
    /// Where the lines are: the simulated exchange, a DAHDI card, or an ALSA codec with GPIO.
    package var hardware = LineHardware.simulated

    package enum LineHardware: Sendable {
        case simulated
        case dahdi([DahdiBackend.Channel])
        case alsa([AlsaGpioBackend.Line], pacedByDevice: Bool)

        package var name: String {
            switch self {
            case .simulated: "simulated"
            case .dahdi: "DAHDI"
            case .alsa: "ALSA+GPIO"
            }
        }
    }

    /// Front-panel GPIO line names (libgpiod); nil when the box has no panel.
    package var panel: PanelConfig?

    package struct PanelConfig: Sendable {
        package var power: String?
        package var sync: String?
        package var fault: String?
        package var lines: [String] = []
        package var button: String?
        package var restartHoldSeconds = 3.0
    }

    package init() {}

    package var controlSocketPath: String { controlSocket ?? "\(dataDirectory)/control.sock" }

    /// Asia/Shanghai, the desk open 08:00-18:00 and call-backs made 08:30-21:00 every day, no holidays.
    package static let defaultCalendar = ServiceCalendar(services: [ServiceCalendar.desk: .everyDay(8 * 60..<18 * 60),
                                                                    ServiceCalendar.callbacks: .everyDay(8 * 60 + 30..<21 * 60)])

    /// The config a command was given, or the embedded defaults; a bad file is the command's
    /// error, with every problem as file:line.
    package static func forCommand(_ file: String?) throws(CommandFailure) -> BoxConfig {
        var config: BoxConfig
        do { config = try file.map(load) ?? BoxConfig() } catch { throw CommandFailure("\(error)") }
        config.adoptStoredNodePrefix()
        config.adoptStoredUplinkListen()
        return config
    }

}

package enum TransferMethod: String, Sendable, CaseIterable {
    case flash
    case bridge
}
