/// A small SVG builder: elements with attributes and children, and text, rendered with
/// every attribute value and every piece of text escaped (``Escape/markup(_:)``).
///
/// Element and attribute names are the builder's own constants (never input). The output
/// leaves out the `xmlns` declaration: the SVG is embedded in an HTML page, where the
/// parser places `<svg>` in the SVG namespace by itself (and the page refers to no URL).
///
/// ```swift
/// let markup = SVGDocument(width: 200, height: 100, id: "c1", title: "Scores", description: "…",
///                          content: [.line(x1: 0, y1: 0, x2: 200, y2: 100, class: "axis")]).markup
/// ```
struct SVGElement {
    /// The element's name, e.g. `line`.
    var name: String
    /// Its attributes, in order; values are escaped when rendered.
    var attributes: [(name: String, value: String)]
    /// Its children.
    var children: [SVGContent]

    init(_ name: String, _ attributes: [(name: String, value: String)] = [], children: [SVGContent] = []) {
        assert(Self.isName(name) && attributes.allSatisfy { Self.isName($0.name) }, "SVG names are the builder's constants")
        self.name = name
        self.attributes = attributes
        self.children = children
    }

    /// Appends the element's markup to `output`.
    func render(into output: inout String) {
        output += "<"
        output += name
        for attribute in attributes {
            output += " "
            output += attribute.name
            output += "=\""
            output += Escape.markup(attribute.value)
            output += "\""
        }
        guard !children.isEmpty else {
            output += "/>"
            return
        }
        output += ">"
        for child in children {
            child.render(into: &output)
        }
        output += "</"
        output += name
        output += ">"
    }

    private static func isName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
        }
    }
}

/// What an SVG element holds: elements and text.
enum SVGContent {
    case element(SVGElement)
    case characters(String)

    func render(into output: inout String) {
        switch self {
        case .element(let element): element.render(into: &output)
        case .characters(let text): output += Escape.markup(text)
        }
    }
}

/// The rendered markup of one `<svg>` element, made only by ``SVGDocument`` (its builder
/// escaped everything in it): the one kind of raw markup the page embeds.
struct SVGMarkup: Sendable {
    /// The `<svg>…</svg>` text.
    let markup: String

    fileprivate init(markup: String) {
        self.markup = markup
    }
}

/// An accessible `<svg>`: `role="img"`, a `<title>` and a `<desc>` it is labelled by, a
/// `viewBox` of its size, and the chart's content.
struct SVGDocument {
    var width: Double
    var height: Double
    /// A prefix unique on the page, for the title's and description's ids.
    var id: String
    var title: String
    var description: String
    var content: [SVGContent]

    /// The rendered `<svg>` element.
    var markup: SVGMarkup {
        let root = SVGElement(
            "svg",
            [
                ("class", "chart-svg"), ("viewBox", "0 0 \(Format.coordinate(width)) \(Format.coordinate(height))"),
                ("width", Format.coordinate(width)), ("height", Format.coordinate(height)),
                ("role", "img"), ("aria-labelledby", "\(id)-title \(id)-desc"),
            ],
            children: [
                .element(SVGElement("title", [("id", "\(id)-title")], children: [.characters(title)])),
                .element(SVGElement("desc", [("id", "\(id)-desc")], children: [.characters(description)])),
            ] + content)
        var output = ""
        output.reserveCapacity(4096)
        root.render(into: &output)
        return SVGMarkup(markup: output)
    }
}

// MARK: - Shapes

extension SVGContent {
    /// A `<g>` with a class (none when empty) and children.
    static func group(class className: String = "", _ children: [SVGContent]) -> SVGContent {
        .element(SVGElement("g", className.isEmpty ? [] : [("class", className)], children: children))
    }

    /// A group moved by `(x, y)`.
    static func translated(x: Double, y: Double, class className: String = "", _ children: [SVGContent]) -> SVGContent {
        var attributes: [(name: String, value: String)] = [("transform", "translate(\(Format.coordinate(x)),\(Format.coordinate(y)))")]
        if !className.isEmpty { attributes.append(("class", className)) }
        return .element(SVGElement("g", attributes, children: children))
    }

    static func line(x1: Double, y1: Double, x2: Double, y2: Double, class className: String) -> SVGContent {
        .element(SVGElement("line", [
            ("x1", Format.coordinate(x1)), ("y1", Format.coordinate(y1)),
            ("x2", Format.coordinate(x2)), ("y2", Format.coordinate(y2)), ("class", className),
        ]))
    }

    /// A rectangle, with an optional tooltip (`<title>`) and extra attributes.
    static func rect(
        x: Double, y: Double, width: Double, height: Double, class className: String,
        tooltip: String? = nil, extra: [(name: String, value: String)] = []
    ) -> SVGContent {
        .element(SVGElement(
            "rect",
            [
                ("x", Format.coordinate(x)), ("y", Format.coordinate(y)),
                ("width", Format.coordinate(max(0, width))), ("height", Format.coordinate(max(0, height))), ("class", className),
            ] + extra,
            children: tooltip.map { [.tooltip($0)] } ?? []))
    }

    static func circle(cx: Double, cy: Double, r: Double, class className: String = "", tooltip: String? = nil) -> SVGContent {
        var attributes: [(name: String, value: String)] = [("cx", Format.coordinate(cx)), ("cy", Format.coordinate(cy)), ("r", Format.coordinate(r))]
        if !className.isEmpty { attributes.append(("class", className)) }
        return .element(SVGElement("circle", attributes, children: tooltip.map { [.tooltip($0)] } ?? []))
    }

    /// A path through `points`: `M` then `L`s, or, for `dots`, a zero-length stroke per point
    /// (drawn as round dots by the stroke's cap: one element for thousands of points).
    static func path(_ points: [(x: Double, y: Double)], dots: Bool = false, class className: String) -> SVGContent {
        var data = ""
        data.reserveCapacity(points.count * 12)
        for (index, point) in points.enumerated() {
            data += dots || index == 0 ? "M" : "L"
            data += Format.coordinate(point.x)
            data += " "
            data += Format.coordinate(point.y)
            if dots { data += "h0" }
        }
        return .element(SVGElement("path", [("d", data.isEmpty ? "M0 0" : data), ("class", className)]))
    }

    /// A path from its data (`d`), for shapes the other helpers do not draw (steps).
    static func path(data: String, class className: String) -> SVGContent {
        .element(SVGElement("path", [("d", data.isEmpty ? "M0 0" : data), ("class", className)]))
    }

    /// A `<text>` at `(x, y)`; `anchor` is `start`, `middle` or `end`.
    static func label(
        _ text: String, x: Double, y: Double, anchor: String = "start", class className: String = "",
        rotate: Double? = nil, tooltip: String? = nil
    ) -> SVGContent {
        var attributes: [(name: String, value: String)] = [("x", Format.coordinate(x)), ("y", Format.coordinate(y))]
        if anchor != "start" { attributes.append(("text-anchor", anchor)) }
        if !className.isEmpty { attributes.append(("class", className)) }
        if let rotate {
            attributes.append(("transform", "rotate(\(Format.coordinate(rotate)) \(Format.coordinate(x)) \(Format.coordinate(y)))"))
        }
        var children: [SVGContent] = [.characters(text)]
        if let tooltip { children.append(.tooltip(tooltip)) }
        return .element(SVGElement("text", attributes, children: children))
    }

    /// A `<title>` child: the tooltip of its parent shape.
    static func tooltip(_ text: String) -> SVGContent {
        .element(SVGElement("title", children: [.characters(text)]))
    }
}
