extension Int {
    /// `value` rounded toward zero, or nil when it is not finite or does not fit an Int: the one
    /// way a number from outside (a config, a flow, a request) becomes an Int, where `Int(_:)`
    /// would trap on NaN, infinity or 1e300.
    public init?(checking value: Double) {
        guard value.isFinite, let whole = Int(exactly: value.rounded(.towardZero)) else { return nil }
        self = whole
    }
}
