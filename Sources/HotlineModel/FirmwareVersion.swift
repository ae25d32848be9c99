/// The firmware's version: what `--version` prints, what health and metrics report, so the
/// central office can tell which of its boxes run which build. The Debian package takes its
/// version from here.
public enum FirmwareVersion {
    public static let current = "0.15.0"
}
