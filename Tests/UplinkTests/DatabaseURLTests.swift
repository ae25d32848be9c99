import Central
import Testing
import TestSupport

@Suite(.tags(.unit))
struct DatabaseURLTests {
    @Test func aURLNamesTheServerUserAndDatabase() throws {
        let url = try DatabaseURL("postgres://desk%40city:p%2Fss@db.city:6543/hotline?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(url.host == "db.city" && url.port == 6543 && url.user == "desk@city" && url.password == "p/ss" && url.database == "hotline")
        #expect(url.sslMode == .verifyFull && url.rootCertificate == "/etc/ca.pem")
        #expect(!url.description.contains("p/ss") && url.description.contains("***"))
        let again = try DatabaseURL(url.rawValue)
        #expect(again.user == url.user && again.password == url.password && again.host == url.host && again.port == url.port)
        #expect(again.database == url.database && again.sslMode == url.sslMode && again.rootCertificate == url.rootCertificate)
        let socket = try DatabaseURL("postgresql://hotline@/hotline?host=/var/run/postgresql")
        #expect(socket.socketDirectory == "/var/run/postgresql" && socket.port == 5432)
    }

    @Test(arguments: [
        ("mysql://u@h/db", "scheme mysql"),
        ("postgres://h/db", "no user"),
        ("postgres://u@h", "no database name"),
        ("postgres://u@h:0/db", "port 0"),
        ("postgres://u@h/db?sslmode=maybe", "sslmode maybe is not one of disable, prefer, require, verify-full"),
        ("postgres://u@h/db?sslmod=require", "parameter sslmod is not understood"),
        ("postgres://u@/db", "no host"),
        ("postgres://u@/db?host=relative", "absolute path"),
        ("not a url at all", "database URL:"),
    ])
    func aBadURLIsRefusedSayingWhy(text: String, why: String) {
        #expect { try DatabaseURL(text) } throws: { "\($0)".contains(why) }
    }
}
