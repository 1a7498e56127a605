import Foundation
@testable import PipelinesReports
import Testing

@Suite("Numbers, dates, ticks and the SVG builder")
struct FormattingTests {
    @Test("scores read to 4 significant digits", arguments: [
        (0.912345, "0.9123"), (0.9, "0.9"), (1, "1"), (12.3456, "12.35"), (12345.6, "12350"), (-0.5, "-0.5"),
        (0.000123456, "0.0001235"), (1.2345e-7, "1.235e-7"), (2.5e12, "2.5e12"), (0, "0"), (9.99996, "10"),
    ])
    func scores(value: Double, expected: String) {
        #expect(Format.score(value) == expected)
    }

    @Test("durations read compactly", arguments: [
        (0.35, "350 ms"), (1.23, "1.2 s"), (12.4, "12 s"), (180, "3 min"), (210, "3.5 min"), (5400, "1.5 h"), (-1, "–"),
    ])
    func durations(seconds: Double, expected: String) {
        #expect(Format.duration(seconds) == expected)
    }

    @Test("dates are ISO 8601 in UTC, as Foundation writes them")
    func dates() {
        let expected: [(Double, String)] = [
            (0, "1970-01-01T00:00:00Z"), (951_782_400, "2000-02-29T00:00:00Z"), (1_800_000_000.7, "2027-01-15T08:00:00Z"),
            (4_102_444_799, "2099-12-31T23:59:59Z"), (-86_401, "1969-12-30T23:59:59Z"),
        ]
        for (seconds, text) in expected {
            #expect(Format.date(Date(timeIntervalSince1970: seconds)) == text, "\(seconds)")
        }
        #expect(Format.dateLabel(Date(timeIntervalSince1970: 1_800_000_000), dayOnly: true) == "2027-01-15")
        #expect(Format.dateLabel(Date(timeIntervalSince1970: 1_800_000_000), dayOnly: false) == "2027-01-15T08:00Z")
    }

    @Test("ticks step by 1, 2 or 5 × 10^k and cover the data")
    func niceTicks() {
        let ticks = Ticks.nice(0.8123, 0.9871, count: 5)
        #expect(ticks.step == 0.05)
        #expect(ticks.lower <= 0.8123 && ticks.upper >= 0.9871)
        #expect(ticks.values.map(ticks.label) == ["0.80", "0.85", "0.90", "0.95", "1.00"])
        for (low, high) in [(0.0, 1.0), (-780.25, 0), (3, 3), (0, 0), (1e-6, 3e-6), (-5, 1234)] {
            let ticks = Ticks.nice(low, high)
            let mantissa = ticks.step / pow(10, floor(log10(ticks.step)))
            #expect([1, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "\(ticks.step)")
            #expect(ticks.lower <= low && ticks.upper >= high && ticks.lower < ticks.upper)
            #expect(ticks.values.count <= 12)
        }
        #expect(Ticks.nice(1, 3, count: 10, integers: true).step == 1)
    }

    @Test("the SVG builder escapes attribute values and text and drops characters XML forbids")
    func builder() {
        let element = SVGElement("text", [("class", #"a"b<c>&'d"#)], children: [.characters("1 < 2 & \"3\"\u{1}\u{7}")])
        var output = ""
        element.render(into: &output)
        #expect(output == #"<text class="a&quot;b&lt;c&gt;&amp;&#39;d">1 &lt; 2 &amp; &quot;3&quot;</text>"#)
        #expect(Format.coordinate(.nan) == "0" && Format.coordinate(-0.04) == "0" && Format.coordinate(-0.5) == "-0.5" && Format.coordinate(12.34) == "12.3")
    }
}
