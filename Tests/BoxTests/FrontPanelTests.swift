import Box
import LineDriver
import Testing
import TestSupport

@Suite(.tags(.unit)) struct FrontPanelTests {
    @Test func lightsFollowTheBox() {
        var s = StatusLights.Status(running: true, lines: [.idle, .inCall, .ringing], sinceLastPull: 120, fault: false)
        let on = StatusLights.values(s, at: 0.1), off = StatusLights.values(s, at: 0.35)
        #expect(on.power && on.sync && !on.fault)
        #expect(on.lines == [false, true, true])
        // Ringing blinks at 2 Hz; the others hold.
        #expect(off.lines == [false, true, false])
        s.sinceLastPull = 7200
        #expect(StatusLights.values(s, at: 0.1).sync && !StatusLights.values(s, at: 1.1).sync)
        s.sinceLastPull = nil
        s.fault = true
        #expect(!StatusLights.values(s, at: 0.1).sync && StatusLights.values(s, at: 0.1).fault)
    }

    @Test func theLEDsAreWrittenOnlyWhenTheyChange() throws {
        let gpio = FakeGPIO(names: ["PWR", "L0", "L1", "SYNC", "FAULT"])
        let panel = try PanelLights(gpio: gpio, power: "PWR", lines: ["L0", "L1"], sync: "SYNC", fault: "FAULT")
        let s = StatusLights.Status(running: true, lines: [.inCall, .idle], sinceLastPull: nil, fault: false)
        for t in stride(from: 0.0, to: 5.0, by: 0.05) { try panel.show(s, at: t) }
        #expect(gpio.lines["PWR"]!.value && gpio.lines["L0"]!.value && !gpio.lines["L1"]!.value)
        #expect(gpio.lines["PWR"]!.writes == 1 && gpio.lines["L0"]!.writes == 1)
    }

    @Test func aLineCanOnlyBeRequestedOnceAndMustExist() throws {
        let gpio = FakeGPIO(names: ["PWR"])
        _ = try gpio.output(named: "PWR", initial: true)
        #expect(throws: GPIOError.busy("PWR")) { try gpio.output(named: "PWR", initial: true) }
        #expect(throws: GPIOError.noSuchLine("LED9")) { try PanelLights(gpio: gpio, power: "LED9", lines: [], sync: nil, fault: nil) }
        #expect(GPIOError.noSuchLine("LED9").description.contains("gpioinfo"))
    }

    @Test func aLongPressRestartsAndAShortOneDoesNot() {
        var button = FrontButton(holdSeconds: 3)
        #expect(button.edge(GPIOEdge(rising: true, time: 10)) == .none)
        #expect(button.tick(at: 12) == .none)
        #expect(button.edge(GPIOEdge(rising: false, time: 12.5)) == .none)
        #expect(button.edge(GPIOEdge(rising: true, time: 20)) == .none)
        #expect(button.tick(at: 22.9) == .none)
        #expect(button.tick(at: 23.0) == .restart)
        // Once per press.
        #expect(button.tick(at: 25) == .none)
        #expect(button.edge(GPIOEdge(rising: false, time: 26)) == .none)
    }
}
