/// Work over many items with at most `parallel` in flight: a slow item holds one slot, never
/// the rest.
package enum Bounded {
    package static func map<Item: Sendable, Output: Sendable>(_ items: [Item], parallel: Int,
                                                            _ body: @escaping @Sendable (Item) async -> Output) async -> [Output] {
        await withTaskGroup(of: (Int, Output).self) { group in
            var next = 0
            func start() {
                guard next < items.count else { return }
                let (index, item) = (next, items[next])
                group.addTask { (index, await body(item)) }
                next += 1
            }
            for _ in 0..<max(1, parallel) { start() }
            var out = [Output?](repeating: nil, count: items.count)
            for await (index, output) in group {
                out[index] = output
                start()
            }
            return out.map { $0! }
        }
    }
}
