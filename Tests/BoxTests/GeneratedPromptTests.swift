import Box
import Foundation
import Testing
import TestSupport

/// The prompts the box speaks for itself (each service's hours) must never keep it from
/// answering: a box without espeak-ng, or without the voice, still starts, says so, and is
/// silent where the hours would be.
@Suite(.tags(.unit)) struct GeneratedPromptTests {
    @Test func hoursThatCannotBeSpokenAreSilentAndReported() throws {
        let dir = try ScratchDirectory()
        var reports: [String] = []
        let library = PromptLibrary.speakOrSilence(["hours_desk": "周一至周五 9点到17点"], into: dir.path("calendar"), from: "calendar",
                                                   voice: "zzq") { reports.append($0) }
        #expect(library["hours_desk"]?.samples.isEmpty == true)
        #expect(reports.count == 1)
        #expect(reports.first?.contains("calendar: cannot speak prompt hours_desk") == true, "\(reports)")
    }

    /// A file spoken from the calendar's earlier hours must not be played for new ones.
    @Test func anEarlierTextIsNeverPlayedForANewOne() throws {
        let dir = try ScratchDirectory()
        let calendar = dir.path("calendar")
        _ = try PromptLibrary.speak(["hours_desk": "九点到五点"], into: calendar, from: "calendar")
        let library = PromptLibrary.speakOrSilence(["hours_desk": "八点到四点"], into: calendar, from: "calendar",
                                                   voice: "zzq") { _ in }
        #expect(library["hours_desk"]?.samples.isEmpty == true)
        // Once it can be spoken, it is.
        var reports: [String] = []
        let spoken = PromptLibrary.speakOrSilence(["hours_desk": "八点到四点"], into: calendar, from: "calendar") { reports.append($0) }
        #expect(reports.isEmpty)
        #expect((spoken["hours_desk"]?.samples.count ?? 0) > 8000)
    }
}
