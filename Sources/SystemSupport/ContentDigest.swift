import Crypto
import Foundation

/// SHA-256 as lowercase hex: how the store, the uplink's ETags and the puller name a file's
/// content, so all three compare equal text.
public enum ContentDigest {
    public static func sha256Hex(_ data: some DataProtocol) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
