#!/usr/bin/env python3
"""Check mlpipe's HTML reports in headless Chromium (Debian's `chromium`, driven by Playwright).

Usage (normally through Scripts/browser/check.sh, which sets up the venv and chromium):

    check_report.py TARGET [TARGET ...] [--token TOKEN] [--expect-charts N] [--expect-models N]
                    [--min-charts N] [--require-chart NAME ...] [--screenshots DIR]

A TARGET is a report file written by `mlpipe report` or an http(s):// URL served by
`mlpipe serve` (`/` or `/pipelines/NAME`); `--token` is sent as `Authorization: Bearer TOKEN`
to http targets. Examples:

    check.sh .mlpipe/report.html --min-charts 5 --require-chart score-history --require-chart roc
    check.sh http://127.0.0.1:8080/pipelines/penguins --token "$VIEWER_TOKEN"

For each target it checks, printing one PASS/FAIL line per check:
  load     the page loads (an http target answers 2xx);
  network  a file target makes no request but for the file itself (it works offline); an http
           target makes none outside its origin; neither opens a WebSocket. Blocked requests are
           aborted, never sent;
  console  no console message of type error and no uncaught page error;
  scripts  a file has no <script>; a served page has only inline ones, each opening an EventSource;
  charts   the number of figure.chart equals --expect-charts (else body[data-chart-count]),
           is at least --min-charts, and includes every --require-chart NAME (figure[data-chart]);
  svgs     each chart holds one <svg role="img"> with a non-empty <title> and a non-zero size;
  tables   each chart contains a <table>, or its next element is or contains one;
  models   the rows of #models tbody equal --expect-models (else body[data-model-count]);
  images   every <img> has non-empty alt text;
  screenshots  full-page light and dark (prefers-color-scheme) PNGs, DIR/NAME-light.png and
           DIR/NAME-dark.png, NAME made from the target (default DIR: Screenshots/ at the repo root);
  reload   with --reload-after COMMAND (http targets): after the checks, COMMAND runs (say, an
           `mlpipe undeploy` or `mlpipe run`) and the served page must reload itself within
           --reload-timeout seconds (10), told by its event stream.

Exit status: 0 when every check passes, 1 when any fails, 2 on a usage error.
Set CHROMIUM to use another browser binary than `chromium` on PATH.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]

# Runs in the page; returns everything the checks need in one round trip.
INSPECT_JS = """() => {
  const figures = [...document.querySelectorAll('figure.chart')];
  const hasTable = el => !!el && (el.tagName === 'TABLE' || !!el.querySelector('table'));
  // The element after a chart stands for it unless it is the next chart.
  const after = f => f.nextElementSibling && !f.nextElementSibling.matches('figure.chart')
    ? f.nextElementSibling : null;
  return {
    chartCount: document.body.dataset.chartCount ?? null,
    modelCount: document.body.dataset.modelCount ?? null,
    modelsTable: !!document.querySelector('table#models'),
    modelRows: document.querySelectorAll('#models tbody tr').length,
    charts: figures.map((f, i) => {
      const svgs = [...f.querySelectorAll('svg[role="img"]')];
      const svg = svgs[0], r = svg ? svg.getBoundingClientRect() : null;
      const title = svg ? svg.querySelector(':scope > title') : null;
      return {
        name: f.dataset.chart || `#${i + 1}`,
        svgs: svgs.length,
        title: title ? title.textContent.trim() : '',
        width: r ? r.width : 0, height: r ? r.height : 0,
        table: hasTable(f) || hasTable(after(f)),
      };
    }),
    images: [...document.images].map(img => ({src: img.getAttribute('src') || '',
                                                alt: (img.getAttribute('alt') || '').trim()})),
    scripts: [...document.scripts].map(s => ({src: s.getAttribute('src') || '',
                                               eventSource: /\\bEventSource\\b/.test(s.textContent)})),
  };
}"""


class Report:
    """Prints one line per check and remembers whether any failed."""

    def __init__(self):
        self.failed = False

    def check(self, target, name, ok, detail):
        self.failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'} {target}: {name}: {detail}", flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="+", metavar="TARGET", help="report file or http(s):// URL")
    parser.add_argument("--token", help="viewer token, sent as 'Authorization: Bearer TOKEN' to http targets")
    parser.add_argument("--expect-charts", type=int, metavar="N")
    parser.add_argument("--expect-models", type=int, metavar="N")
    parser.add_argument("--min-charts", type=int, default=0, metavar="N")
    parser.add_argument("--require-chart", action="append", default=[], metavar="NAME")
    parser.add_argument("--screenshots", type=Path, default=REPO_ROOT / "Screenshots", metavar="DIR")
    parser.add_argument("--reload-after", metavar="COMMAND",
                        help="http targets: run COMMAND in a shell once the page is checked (e.g. an `mlpipe "
                             "undeploy`) and require the served page to reload itself within --reload-timeout")
    parser.add_argument("--reload-timeout", type=float, default=10, metavar="SECONDS")
    args = parser.parse_args(argv)
    resolved = []
    for target in args.targets:
        if re.match(r"https?://", target):
            resolved.append((target, target, True))
        elif "://" in target:
            parser.error(f"{target}: only file paths and http(s):// URLs are supported")
        elif not Path(target).is_file():
            parser.error(f"{target}: no such file")
        else:
            resolved.append((target, Path(target).resolve().as_uri(), False))
    args.targets = resolved
    return args


def shot_name(target, is_http):
    if is_http:
        parts = urlsplit(target)
        name = f"served{parts.path.rstrip('/') or '-registry'}"  # not the port: a rerun replaces its shots
    else:
        name = Path(target).stem
    return re.sub(r"[^A-Za-z0-9._]+", "-", name).strip("-") or "report"


def check_target(browser, args, report, label, url, is_http):
    headers = {"Authorization": f"Bearer {args.token}"} if is_http and args.token else {}
    context = browser.new_context(extra_http_headers=headers, viewport={"width": 1200, "height": 800})
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    allowed = (lambda u: u.startswith(origin + "/")) if is_http else (lambda u: u.split("#")[0] == url)
    blocked, errors, statuses = [], [], {}

    def route(r):
        if allowed(r.request.url) or r.request.url.startswith("data:"):
            r.continue_()
        else:  # the "request" listener below records it
            r.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()

    def console(message):
        if message.type == "error":
            source = message.location.get("url")
            errors.append(f"console: {message.text}" + (f" ({source})" if source and source != url else ""))

    page.on("console", console)
    page.on("response", lambda r: statuses.setdefault(r.url, r.status))
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("websocket", lambda ws: blocked.append(ws.url))
    page.on("request", lambda r: allowed(r.url) or r.url.startswith("data:") or blocked.append(r.url))
    try:
        try:
            response = page.goto(url, wait_until="load", timeout=30_000)
        except PlaywrightError as e:
            status = f" (HTTP {statuses[url]})" if url in statuses else ""
            report.check(label, "load", False, str(e).splitlines()[0] + status)
            return
        status = response.status if response else None
        load_ok = not is_http or (status is not None and 200 <= status < 300)
        report.check(label, "load", load_ok, f"HTTP {status}" if is_http else "file loaded")
        if not load_ok:
            return
        page.wait_for_timeout(300)  # let late script errors and requests arrive
        info = page.evaluate(INSPECT_JS)
        check_page(report, label, args, info, is_http)
        report.check(label, "network", not blocked,
                     f"blocked {len(blocked)}: {', '.join(blocked[:3])}" if blocked else
                     ("no request outside the origin" if is_http else "no request but the file (offline)"))
        report.check(label, "console", not errors,
                     f"{len(errors)} error(s): {' | '.join(errors[:3])}" if errors else "no errors")
        args.screenshots.mkdir(parents=True, exist_ok=True)
        shots = []
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            path = args.screenshots / f"{shot_name(label, is_http)}-{scheme}.png"
            page.screenshot(path=str(path), full_page=True)
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            shots.append(f"{path} (background {background})")
        report.check(label, "screenshots", True, "; ".join(shots))
        if is_http and args.reload_after:
            check_reload(report, label, args, page)
    finally:
        context.close()


def check_reload(report, label, args, page):
    """Runs --reload-after and waits for the page's own reload (its event stream said `changed`)."""
    page.evaluate("window.__mlpipeBeforeReload = true")
    result = subprocess.run(args.reload_after, shell=True, capture_output=True, text=True)
    if result.returncode != 0:
        report.check(label, "reload", False, f"the command failed ({result.returncode}): {result.stderr.strip()[:200]}")
        return
    try:
        page.wait_for_function("window.__mlpipeBeforeReload === undefined", timeout=args.reload_timeout * 1000)
        page.wait_for_load_state("load")
        report.check(label, "reload", True, f"reloaded after `{args.reload_after}`")
    except PlaywrightError:
        report.check(label, "reload", False, f"no reload within {args.reload_timeout:g} s of `{args.reload_after}`")


def check_page(report, label, args, info, is_http):
    scripts = info["scripts"]
    if is_http:
        bad = [s["src"] or "inline script without EventSource" for s in scripts
               if s["src"] or not s["eventSource"]]
        report.check(label, "scripts", not bad, f"not allowed: {', '.join(bad)}" if bad else
                     f"{len(scripts)} inline EventSource script(s)" if scripts else "none")
    else:
        report.check(label, "scripts", not scripts,
                     f"{len(scripts)} <script> in a file report" if scripts else "none")

    charts = info["charts"]
    names = [c["name"] for c in charts]
    expected = args.expect_charts if args.expect_charts is not None else info["chartCount"]
    problems = []
    if expected is None:
        problems.append("body has no data-chart-count")
    elif len(charts) != int(expected):
        problems.append(f"expected {expected}")
    if len(charts) < args.min_charts:
        problems.append(f"fewer than {args.min_charts}")
    missing = [n for n in args.require_chart if n not in names]
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    report.check(label, "charts", not problems,
                 f"{len(charts)} ({', '.join(names)})" + (f"; {'; '.join(problems)}" if problems else ""))

    bad = []
    for c in charts:
        if c["svgs"] != 1:
            bad.append(f"{c['name']}: {c['svgs']} svg[role=img]")
        elif not c["title"]:
            bad.append(f"{c['name']}: svg without a <title>")
        elif c["width"] <= 0 or c["height"] <= 0:
            bad.append(f"{c['name']}: rendered {c['width']:g}x{c['height']:g}")
    # A page without charts (the registry's) passes here; the charts check compares counts.
    report.check(label, "svgs", not bad, "; ".join(bad) if bad else
                 (f"{len(charts)} titled, rendered" if charts else "no charts to check"))

    bad = [c["name"] for c in charts if not c["table"]]
    report.check(label, "tables", not bad, f"no table alternative: {', '.join(bad)}" if bad else
                 f"{len(charts)} chart(s) with a table alternative")

    expected = args.expect_models if args.expect_models is not None else info["modelCount"]
    rows = info["modelRows"]
    if not info["modelsTable"]:
        ok, detail = False, "no table#models"
    elif expected is None:
        ok, detail = False, f"{rows} row(s); body has no data-model-count"
    else:
        ok, detail = rows == int(expected), f"{rows} row(s), expected {expected}"
    report.check(label, "models", ok, detail)

    bad = [i["src"] or "(no src)" for i in info["images"] if not i["alt"]]
    report.check(label, "images", not bad, f"without alt: {', '.join(bad)}" if bad else
                 f"{len(info['images'])} image(s), all with alt text")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    report = Report()
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not chromium:
        print("FAIL setup: no chromium on PATH (apt-get install chromium, or set CHROMIUM)")
        return 1
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=chromium, headless=True)
        except PlaywrightError as e:
            print(f"FAIL setup: cannot start {chromium}: {str(e).splitlines()[0]}")
            return 1
        try:
            for label, url, is_http in args.targets:
                check_target(browser, args, report, label, url, is_http)
        finally:
            browser.close()
    print("all checks passed" if not report.failed else "some checks failed", flush=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
