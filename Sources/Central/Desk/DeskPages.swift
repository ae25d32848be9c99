import Foundation
import Mustache

/// The desk's pages: server-rendered Mustache, no script. `{{ }}` escapes HTML, so nothing a
/// caller or a box sent can become markup.
enum DeskPages {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in templates {
            do { try library.register(text, named: name) } catch { preconditionFailure("desk template \(name): \(error)") }
        }
        return library
    }()

    static func render(_ name: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: name) ?? "template \(name) missing"
    }

    private static let templates: [String: String] = [
        "head": """
            <!doctype html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>{{title}} · 12345</title>
            <style>
            body{font-family:sans-serif;margin:0 2em 2em;color:#222}nav{padding:.6em 0;border-bottom:1px solid #ccc;margin-bottom:1em}
            nav a{margin-right:1.2em}table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #eee;text-align:left}
            .error{color:#a00}.muted{color:#777}form.inline{display:inline}fieldset{margin:1em 0;border:1px solid #ccc}
            </style></head><body>
            {{#user}}<nav><a href="/cases">Cases 案件</a><a href="/boxes">Boxes 设备</a>
            <form class="inline" method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit">Log out {{user}}</button></form></nav>{{/user}}
            {{#error}}<p class="error" id="error">{{error}}</p>{{/error}}
            """,
        "login": """
            {{> head}}
            <h1>12345 desk</h1>
            <form method="post" action="/login">
            <p><label>Name <input name="name" id="name" autocomplete="username" required></label></p>
            <p><label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label></p>
            <p><button type="submit" id="login">Log in</button></p>
            </form></body></html>
            """,
        "cases": """
            {{> head}}
            <h1>Cases 案件</h1>
            <form method="get" action="/cases" id="search">
            <input name="number" placeholder="acceptance number" value="{{number}}">
            <input name="caller" placeholder="caller" value="{{caller}}">
            <select name="kind"><option value="">any kind</option>{{#kinds}}<option value="{{code}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/kinds}}</select>
            <select name="status"><option value="">any status</option>{{#statuses}}<option value="{{code}}" {{#selected}}selected{{/selected}}>{{code}}</option>{{/statuses}}</select>
            <input name="district" placeholder="district" value="{{district}}">
            <input name="from" type="date" value="{{from}}"> – <input name="to" type="date" value="{{to}}">
            <button type="submit">Search</button></form>
            <table id="cases"><tr><th>number</th><th>kind</th><th>status</th><th>caller</th><th>district</th><th>received</th></tr>
            {{#cases}}<tr><td><a href="/cases/{{node}}/{{number}}">{{number}}</a></td><td>{{kind}}</td><td>{{status}}</td><td>{{caller}}</td><td>{{district}}</td><td>{{created}}</td></tr>{{/cases}}
            </table>
            {{^cases}}<p class="muted">No case matches.</p>{{/cases}}
            {{#next}}<p><a href="{{next}}">more</a></p>{{/next}}
            </body></html>
            """,
        "case": """
            {{> head}}
            <h1>Case <span id="number">{{number}}</span></h1>
            <table><tr><th>kind</th><td>{{kind}}</td></tr><tr><th>status</th><td id="status">{{status}}</td></tr>
            <tr><th>caller</th><td>{{caller}}</td></tr><tr><th>box</th><td>{{node}} {{district}}</td></tr><tr><th>received</th><td>{{created}}</td></tr>
            {{#reopens}}<tr><th>reopens</th><td>{{reopens}}</td></tr>{{/reopens}}{{#partial}}<tr><th></th><td>the caller hung up before the end</td></tr>{{/partial}}</table>
            {{#message}}<h2>Message 留言</h2><audio id="message" controls preload="metadata" src="/media/{{sha256}}"></audio>{{/message}}
            {{#wholeCall}}<h2>Whole call 通话录音</h2><audio id="whole-call" controls preload="metadata" src="/media/{{sha256}}"></audio>{{/wholeCall}}
            {{#fax}}<h2>Fax 传真</h2><p><a id="fax" href="/media/{{sha256}}">the fax as PDF</a></p>{{/fax}}
            {{#faxProblem}}<h2>Fax 传真</h2><p class="error">{{faxProblem}}</p>{{/faxProblem}}
            <h2>Status history</h2><table id="history"><tr><th>version</th><th>status</th><th>by</th><th>note</th><th>when</th></tr>
            {{#history}}<tr><td>{{version}}</td><td>{{status}}</td><td>{{source}}</td><td>{{note}}</td><td>{{at}}</td></tr>{{/history}}</table>
            {{#hasOutbox}}<h2>Sent to the box</h2><table id="outbox">{{#outbox}}<tr><td>{{kind}}</td><td>{{by}}</td><td>{{at}}</td><td>{{state}}</td><td class="error">{{error}}</td></tr>{{/outbox}}</table>{{/hasOutbox}}
            {{#hasCallbacks}}<h2>Call-backs</h2><table>{{#callbacks}}<tr><td>{{number}}</td><td>{{state}}</td><td>{{outcome}}</td><td>{{rating}}</td></tr>{{/callbacks}}</table>{{/hasCallbacks}}
            <form method="post" action="/cases/{{node}}/{{number}}/status" id="set-status"><fieldset><legend>Set the status</legend>
            <input type="hidden" name="csrf" value="{{csrf}}">
            <select name="status" id="new-status">{{#statuses}}<option value="{{code}}">{{code}}</option>{{/statuses}}</select>
            <p><label>Note to the caller <textarea name="note" id="note" rows="2" cols="60" maxlength="500"></textarea></label></p>
            <button type="submit" id="save-status">Set status</button></fieldset></form>
            <form method="post" action="/cases/{{node}}/{{number}}/callback" id="schedule-callback"><fieldset><legend>Call the citizen back</legend>
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>Number <input name="number" value="{{caller}}" pattern="[0-9]{3,20}" required></label>
            <button type="submit" id="callback">Schedule a call-back</button></fieldset></form>
            </body></html>
            """,
        "boxes": """
            {{> head}}
            <h1>Boxes 设备</h1>
            <table id="boxes"><tr><th>node</th><th>district</th><th>state</th><th>last pull</th><th>lag (changes/bytes)</th><th>certificate</th><th>error</th></tr>
            {{#boxes}}<tr><td>{{node}}</td><td>{{district}}</td><td>{{state}}</td><td>{{pulled}}</td><td>{{lag}}</td><td>{{certificate}}</td><td class="error">{{error}}</td></tr>{{/boxes}}
            </table></body></html>
            """,
    ]
}
