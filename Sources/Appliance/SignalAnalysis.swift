import DSP

/// Offline analysis of recorded line audio with the same detectors the lines run.
enum SignalAnalysis {
    struct DigitReport: Codable, Equatable {
        var digit: String
        var startMs: Int
        var endMs: Int
        var levelDBm0: Int
    }

    struct ToneReport: Codable, Equatable {
        /// dial, busy, congestion, ringback, cng or ced.
        var kind: String
        var onsetMs: Int
        var confirmedMs: Int
    }

    static func dtmf(_ samples: [Int16], config: DTMFDetectorConfig = .init()) -> [DigitReport] {
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

    static func callerIDs(_ samples: [Int16], standards: [CallerIDStandard] = CallerIDStandard.allCases) -> [CallerID] {
        var out: [(CallerID, Int)] = []
        let receivers = standards.map { CallerIDReceiver(standard: $0) { out.append(($0, $1)) } }
        Signal.forEachBlock(samples) { block in receivers.forEach { $0.process(block) } }
        return out.sorted { $0.1 < $1.1 }.map(\.0)
    }

    static func tones(_ samples: [Int16], plan: TonePlan = .china) -> [ToneReport] {
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
