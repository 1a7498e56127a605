import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Plain-text looks into a rendered page: counts, attributes, fragments.
struct PageInspection {
    let html: String

    init(_ html: String) {
        self.html = html
    }

    /// How often `needle` occurs (non-overlapping).
    func count(_ needle: String) -> Int {
        html.components(separatedBy: needle).count - 1
    }

    /// The value of `name="…"` on the `<body>`.
    func bodyAttribute(_ name: String) -> String? {
        guard let body = html.range(of: "<body"), let end = html[body.upperBound...].range(of: ">") else { return nil }
        let tag = html[body.lowerBound..<end.lowerBound]
        guard let start = tag.range(of: " \(name)=\"") else { return nil }
        let rest = tag[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// The markup from the first `open` to the `close` after it (both included).
    func fragment(from open: String, to close: String) -> String? {
        guard let start = html.range(of: open), let end = html[start.upperBound...].range(of: close) else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    /// Every `<svg …>…</svg>` element.
    var svgFragments: [String] {
        var fragments: [String] = []
        var searchStart = html.startIndex
        while let start = html.range(of: "<svg", range: searchStart..<html.endIndex),
              let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex) {
            fragments.append(String(html[start.lowerBound..<end.upperBound]))
            searchStart = end.upperBound
        }
        return fragments
    }

    /// The opening tag of `fragment`.
    static func openingTag(_ fragment: String) -> String {
        fragment.firstIndex(of: ">").map { String(fragment[...$0]) } ?? fragment
    }

    /// The `data-chart` of every chart figure, in page order.
    var chartKinds: [String] {
        html.components(separatedBy: "<figure class=\"chart\" data-chart=\"").dropFirst().compactMap { part in
            part.firstIndex(of: "\"").map { String(part[..<$0]) }
        }
    }

    /// The `<section>` headings, in page order.
    var sectionHeadings: [String] {
        html.components(separatedBy: "<h2 id=\"").dropFirst().compactMap { part in
            guard let open = part.firstIndex(of: ">"), let close = part.range(of: "</h2>") else { return nil }
            return String(part[part.index(after: open)..<close.lowerBound])
        }
    }
}

/// Whether `text` is well-formed XML, with the parser's error when it is not.
func parsesAsXML(_ text: String) -> (Bool, String) {
    let parser = XMLParser(data: Data(text.utf8))
    let ok = parser.parse()
    return (ok, parser.parserError.map { "\($0)" } ?? "")
}
