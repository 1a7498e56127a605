/// The page's one inline stylesheet: colours as custom properties, redefined for dark mode;
/// the Okabe–Ito palette (safe for the common colour-vision deficiencies) for series; the
/// system font stack; nothing fetched from anywhere.
enum Stylesheet {
    static let css = """
    :root {
      color-scheme: light dark;
      --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
      --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
      --bg: #ffffff; --fg: #1d1f23; --muted: #5b616b; --border: #d5d8dd; --surface: #f4f5f7; --grid: #e3e5e9;
      --link: #0060a0; --badge-bg: #00795a; --badge-fg: #ffffff; --heat: #0072b2; --on-heat: #ffffff;
      --c0: #0072b2; --c1: #d55e00; --c2: #009e73; --c3: #e69f00; --c4: #cc79a7; --c5: #56b4e9; --c6: #000000; --c7: #8a8a8a;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #15171b; --fg: #e6e8eb; --muted: #a3a9b3; --border: #3a3f47; --surface: #1e2126; --grid: #2b2f36;
        --link: #7cc4f0; --badge-bg: #3cc79a; --badge-fg: #0b0c0e; --heat: #56b4e9; --on-heat: #0b0c0e;
        --c0: #56b4e9; --c1: #d55e00; --c2: #009e73; --c3: #e69f00; --c4: #cc79a7; --c5: #0072b2; --c6: #f0e442; --c7: #b0b0b0;
      }
    }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 var(--font); }
    header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 1.25rem; }
    header { padding-top: 1.5rem; }
    h1 { font-size: 1.6rem; margin: 0.2rem 0; }
    h2 { font-size: 1.25rem; margin: 2.2rem 0 0.6rem; padding-bottom: 0.3rem; border-bottom: 1px solid var(--border); }
    h3 { font-size: 1.05rem; margin: 1.2rem 0 0.4rem; }
    a { color: var(--link); }
    .context, .meta, .empty, footer, figcaption { color: var(--muted); }
    .empty { font-style: italic; }
    nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; padding: 0; margin: 0.8rem 0 0; }
    code { font-family: var(--mono); font-size: 0.9em; }
    .table-wrap { overflow-x: auto; max-width: 100%; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 0.4rem 0 1rem; }
    th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.6rem; border-bottom: 1px solid var(--border); }
    thead th { background: var(--surface); position: sticky; top: 0; }
    td.number, th.number { text-align: right; }
    td time, td code, .nowrap { white-space: nowrap; }
    tr.deployed td { background: var(--surface); }
    .params code { display: inline-block; margin: 0 0.4rem 0.1rem 0; }
    .badge { display: inline-block; padding: 0 0.5rem; border-radius: 0.8rem; background: var(--badge-bg); color: var(--badge-fg);
      font-size: 0.8rem; font-weight: 600; }
    .figures { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-start; }
    figure.chart { margin: 0.6rem 0 1.4rem; max-width: 100%; }
    figure.chart figcaption { max-width: 60ch; margin-bottom: 0.4rem; font-size: 0.9rem; }
    details summary { cursor: pointer; color: var(--link); font-size: 0.9rem; }
    details table { font-size: 0.85rem; }
    .chart-svg { display: block; max-width: 100%; height: auto; color: var(--fg); font: 12px var(--font); }
    .chart-svg text { fill: currentColor; }
    .chart-svg .tick, .chart-svg .value { color: var(--muted); }
    .chart-svg .axis-title { font-weight: 600; }
    .chart-svg .axis-line { stroke: currentColor; stroke-width: 1; fill: none; }
    .chart-svg .grid { stroke: var(--grid); stroke-width: 1; }
    .chart-svg .reference-line { stroke: currentColor; stroke-width: 1.2; stroke-dasharray: 5 4; opacity: 0.7; fill: none; }
    .chart-svg .fg { color: var(--fg); }
    .chart-svg .s0 { color: var(--c0); } .chart-svg .s1 { color: var(--c1); } .chart-svg .s2 { color: var(--c2); }
    .chart-svg .s3 { color: var(--c3); } .chart-svg .s4 { color: var(--c4); } .chart-svg .s5 { color: var(--c5); }
    .chart-svg .s6 { color: var(--c6); } .chart-svg .s7 { color: var(--c7); }
    .chart-svg .legend-label { color: var(--fg); }
    .chart-svg .series-line { fill: none; stroke: currentColor; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
    .chart-svg .series-point { fill: currentColor; stroke: var(--bg); stroke-width: 1; }
    .chart-svg .hollow-point { fill: var(--bg); stroke: currentColor; stroke-width: 1.5; }
    .chart-svg .series-fill { fill: currentColor; }
    .chart-svg .segment { stroke: var(--bg); stroke-width: 1; }
    .chart-svg .dots { fill: none; stroke: currentColor; stroke-width: 4; stroke-linecap: round; stroke-opacity: 0.55; }
    .chart-svg .cell { fill: var(--heat); stroke: var(--bg); stroke-width: 1; }
    .chart-svg .cell.diagonal { stroke: currentColor; stroke-width: 1.5; }
    .chart-svg .count { font-weight: 600; }
    .chart-svg .count.on-heat { fill: var(--on-heat); }
    .chart-svg .count.small { font-size: 9px; }
    """
}
