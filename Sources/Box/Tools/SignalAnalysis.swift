import DSP

/// Offline analysis of recorded line audio with the same detectors the lines run.
package enum SignalAnalysis {
    package struct DigitReport: Codable, Equatable {
        package var digit: String
        package var startMs: Int
        package var endMs: Int
        package var levelDBm0: Int
    }

    package struct ToneReport: Codable, Equatable {
        /// dial, busy, congestion, ringback, cng or ced.
        package var kind: String
        package var onsetMs: Int
        package var confirmedMs: Int
    }

    package static func dtmf(_ samples: [Int16], config: DTMFDetectorConfig = .init()) -> [DigitReport] {
        var out: [DigitReport] = []
        let detector = DTMFDetector(config: config) { event in
            if case .ended(let d) = event {
                out.append(DigitReport(digit: String(d.digit), startMs: SampleClock.ms(d.startSample),
                                       endMs: SampleClock.ms(d.endSample), levelDBm0: d.levelDBm0))
            }
        }
        Signal.forEachBlock(samples) { detector.process($0) }
        detector.finish()
        return out
    }

    /// Every caller-ID message, oldest first. SpanDSP's V.23 receiver also demodulates Bell 202
    /// (and the other way round), so when both decode the same spill, the one whose mark and
    /// space tones were actually on the line is kept.
    package static func callerIDs(_ samples: [Int16], standards: [CallerIDStandard] = CallerIDStandard.allCases) -> [CallerID] {
        var heard: [(id: CallerID, at: Int)] = []
        let receivers = standards.map { CallerIDReceiver(standard: $0) { heard.append(($0, $1)) } }
        Signal.forEachBlock(samples) { block in receivers.forEach { $0.process(block) } }
        heard.sort { $0.at < $1.at }
        var kept: [(id: CallerID, at: Int)] = []
        for message in heard {
            if let twin = kept.lastIndex(where: { abs($0.at - message.at) < SampleClock.rate && sameContent($0.id, message.id) }) {
                if fskStandard(of: samples[max(0, message.at - SampleClock.rate)..<message.at]) == message.id.standard { kept[twin] = message }
            } else {
                kept.append(message)
            }
        }
        return kept.map(\.id)
    }

    private static func sameContent(_ a: CallerID, _ b: CallerID) -> Bool {
        a.standard.isFSK && b.standard.isFSK && a.number == b.number && a.name == b.name && a.dateTime == b.dateTime
            && a.numberAbsence == b.numberAbsence && a.nameAbsence == b.nameAbsence
    }

    private static func fskStandard(of spill: ArraySlice<Int16>) -> CallerIDStandard {
        let bell = ToneMeter.power(of: spill, at: 1200) + ToneMeter.power(of: spill, at: 2200)
        let v23 = ToneMeter.power(of: spill, at: 1300) + ToneMeter.power(of: spill, at: 2100)
        return bell >= v23 ? .bell202 : .v23
    }

    package static func tones(_ samples: [Int16], plan: TonePlan = .china) -> [ToneReport] {
        var out: [ToneReport] = []
        let progress = CallProgressDetector(plan: plan) { event in
            if case .confirmed(let d) = event {
                out.append(ToneReport(kind: d.kind.rawValue, onsetMs: SampleClock.ms(d.onsetSample), confirmedMs: SampleClock.ms(d.confirmedSample)))
            }
        }
        let fax = FaxToneDetector { event in
            if case .detected(let d) = event {
                out.append(ToneReport(kind: d.tone.rawValue, onsetMs: SampleClock.ms(d.onsetSample), confirmedMs: SampleClock.ms(d.confirmedSample)))
            }
        }
        Signal.forEachBlock(samples) { progress.process($0); fax.process($0) }
        progress.finish()
        return out.sorted { ($0.onsetMs, $0.confirmedMs) < ($1.onsetMs, $1.confirmedMs) }
    }
}
