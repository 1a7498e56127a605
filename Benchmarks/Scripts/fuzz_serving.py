#!/usr/bin/env python3
"""Fuzzes a running `mlpipe serve` against its own OpenAPI document, then hammers it with bad bodies.

Issue 14, item 6 ("Bad input"): malformed JSON, wrong types, missing or unknown features,
a body over the limit, a batch over the limit get a 4xx with a JSON error; nothing
crashes, the server keeps serving; schemathesis finds no 5xx.

In one run it:
  1. fits the two models of compare_serving_mlflow.py (LinearRegression on 20 features,
     RandomForestClassifier of 100 trees, depth 10; seeded) and, in a fresh temporary
     store, imports them as the standalone lines `linear` and `forest`, deploys each, gives
     each line the endpoint of its name and a token (the same helpers as that script);
  2. starts `mlpipe serve --store S --host 127.0.0.1 --port P`;
  3. schemathesis phase: `schemathesis run http://127.0.0.1:P/openapi.json` with
     `--checks not_a_server_error` (or --checks), `--seed` (default 14),
     `--max-examples` per operation (default 250), one worker, the phases examples,
     coverage and fuzzing, three times: with the `name` path parameter bound to `linear`
     (and linear's token), to `forest` (and forest's token), and unbound (random names,
     linear's token: the 401 paths). Any failed check (a 5xx) fails the run;
  4. hammer phase: a few hundred hand-made requests (truncated JSON at many lengths, huge
     and out-of-range numbers, NaN/Infinity literals, wrong types at every level, missing,
     unknown and null features, deep nesting, invalid UTF-8, an 11 MB body, a batch over
     10,000 records, wrong methods and content types, missing, malformed, wrong-endpoint
     and overlong tokens). Each must get a 4xx (a handful of valid-but-odd bodies, listed
     as `lenient`, may get a 2xx; none may get a 5xx or drop the connection); /health must
     answer 200 every 25 requests and at the end, and a valid prediction must still work;
  5. prints the status counts and PASS/FAIL; exits 1 on any 5xx, dropped connection, or a
     server that stopped answering (its log is printed).

Run from the repository root, with schemathesis, scikit-learn and pandas in the repository's
virtualenv (MLflow is not needed here):
    python3 -m venv .venv && .venv/bin/pip install schemathesis scikit-learn==1.9.1 pandas
    .venv/bin/python Benchmarks/Scripts/fuzz_serving.py [--mlpipe PATH] [--max-examples 250] [--seed 14] [--keep]
Without --mlpipe it builds the release `mlpipe` first
(`swift build -c release --product mlpipe --scratch-path .build-benchserve`).
--skip-schemathesis / --skip-hammer run one phase only; --checks takes schemathesis' check
names (default not_a_server_error; e.g. all); --keep keeps the store, logs and reports.
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
import compare_serving_mlflow as serving  # noqa: E402  (models, payloads, store set-up, processes)

FEATURES = serving.FEATURE_NAMES
HOST = "127.0.0.1"


# ---------------------------------------------------------------- schemathesis

def schemathesis_run(directory, port, name, secret, seed, examples, checks, label):
    """One schemathesis run; True when it passed."""
    config = os.path.join(directory, f"schemathesis-{label}.toml")
    with open(config, "w") as f:
        if name is not None:
            f.write(f'[parameters]\n"path.name" = "{name}"\n')
    report = os.path.join(directory, f"schemathesis-{label}")
    command = [os.path.join(serving.venv_bin(), "schemathesis"), "--config-file", config, "run",
               f"http://{HOST}:{port}/openapi.json", "--url", f"http://{HOST}:{port}",
               "--checks", checks, "--seed", str(seed), "--max-examples", str(examples), "--workers", "1",
               "--phases", "examples,coverage,fuzzing", "--request-timeout", "30",
               "-H", f"Authorization: Bearer {secret}",
               "--report", "junit", "--report-dir", report, "--suppress-health-check", "all"]
    print(f"[schemathesis:{label}] {' '.join(c if not c.startswith('Authorization') else 'Authorization: Bearer …' for c in command)}",
          flush=True)
    started = time.time()
    result = subprocess.run(command, capture_output=True, text=True,
                            env=dict(os.environ, NO_COLOR="1", SCHEMATHESIS_HOOKS=""))
    output = result.stdout + result.stderr
    with open(os.path.join(directory, f"schemathesis-{label}.log"), "w") as f:
        f.write(output)
    summary = [line for line in output.splitlines() if line.strip()][-25:]
    print("\n".join("    " + line for line in summary))
    print(f"[schemathesis:{label}] exit {result.returncode} after {time.time() - started:.0f} s", flush=True)
    return result.returncode == 0


# ---------------------------------------------------------------- hammer

def send(port, method, path, body=b"", headers=None, timeout=30):
    """(status or None, response bytes, problem) of one request on a fresh connection."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for key, value in (headers or {}).items():
            connection.putheader(key, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders()
        if body:
            try:
                connection.send(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer (413) before reading the whole body
        response = connection.getresponse()
        return response.status, response.read(), None
    except (ConnectionError, http.client.HTTPException, socket.timeout, OSError) as error:
        return None, b"", f"{type(error).__name__}: {error}"
    finally:
        connection.close()


def record(value=1.0, **overrides):
    fields = {name: value for name in FEATURES}
    fields.update(overrides)
    return fields


def valid_body():
    return json.dumps({"records": [record(0.5)]}).encode()


def bad_bodies():
    """(description, body bytes, lenient) — lenient bodies may also be answered 2xx."""
    cases = []
    valid = valid_body()
    # truncated JSON at many lengths (every prefix shorter than the body is malformed)
    for length in sorted(set(list(range(0, 40)) + list(range(40, len(valid) - 1, 3)))):
        cases.append((f"truncated at {length}", valid[:length], False))
    # top-level shapes
    for text in ["null", "true", "1", "-1e999", '"records"', "[]", "[{}]", "{}", '{"records": null}', '{"records": 1}',
                 '{"records": "x"}', '{"records": {}}', '{"records": []}', '{"records": [null]}', '{"records": [1]}',
                 '{"records": ["a"]}', '{"records": [[]]}', '{"records": [[1, 2]]}', '{"records": [true]}',
                 '{"record": null}', '{"record": []}', '{"record": 1}', '{"records": [], "record": {}}',
                 '{"records": [{}]}', '{"rows": [{}]}', '{"": 1}', '{"records": [{}], "extra": 1}',
                 " ", "\n\n", "{", "}", "[", '{"records": [', '{"records": [{', '{"records": [{"f0"',
                 '{"records": [{"f0":}]}', '{"records": [{"f0": 1,}]}', "{'records': []}", '{"records": [{f0: 1}]}',
                 '{"records": [{"f0": 01}]}', '{"records": [{"f0": .5}]}', '{"records": [{"f0": +1}]}',
                 '{"records": [{"f0": 0x10}]}', '{"records": [{"f0": 1_000}]}', '{"records": [{"f0": NaN}]}',
                 '{"records": [{"f0": Infinity}]}', '{"records": [{"f0": -Infinity}]}', '{"records": [{"f0": undefined}]}',
                 '/* comment */ {"records": []}', '{"records": [{"f0": 1}]} trailing', '{"records": [{"f0": "\\ud800"}]}',
                 '{"records": [{"f0": "\\u0000"}]}', '{"records": [{"f0": "\\x"}]}']:
        cases.append((f"shape {text[:40]!r}", text.encode(), False))
    # wrong and odd feature values, in the first record and in a later one of a batch
    for description, value in [("string", "abc"), ("empty string", ""), ("list", [1.0]), ("empty list", []),
                               ("object", {"a": 1}), ("null", None), ("nested list", [[[[]]]]),
                               ("huge integer", 10 ** 40), ("negative huge integer", -(10 ** 40))]:
        lenient = "huge integer" in description  # 1e40 is a finite double: answering it is fine
        for index in (0, 3):
            records = [record(0.25) for _ in range(5)]
            records[index]["f7"] = value
            cases.append((f"f7 {description} in record {index}", json.dumps({"records": records}).encode(), lenient))
    # finite inputs whose linear prediction overflows to infinity: a 4xx or a 2xx, never a 5xx
    cases.append(("every feature 1.7976931348623157e308", json.dumps({"records": [record(1.7976931348623157e308)]}).encode(), True))
    cases.append(("every feature -1.7976931348623157e308", json.dumps({"records": [record(-1.7976931348623157e308)]}).encode(), True))
    for literal in ["1e400", "-1e400", "1e-400", "123456789012345678901234567890", "9223372036854775808",
                    "-9223372036854775809", "1.7976931348623157e308", "4.9e-324", "-0", "0e0", "1E+2"]:
        text = json.dumps({"records": [record(0.5)]}).replace('"f3": 0.5', f'"f3": {literal}', 1)
        lenient = literal not in ("1e400", "-1e400")  # the others are numbers a double holds (or rounds to)
        cases.append((f"f3 = {literal}", text.encode(), lenient))
    cases.append(("boolean feature", json.dumps({"records": [record(0.5, f2=True)]}).encode(), True))
    cases.append(("integer features", json.dumps({"records": [record(1)]}).encode(), True))
    cases.append(("missing feature", json.dumps({"records": [{k: v for k, v in record(0.5).items() if k != "f5"}]}).encode(), False))
    cases.append(("no features", json.dumps({"records": [{}]}).encode(), False))
    cases.append(("unknown feature", json.dumps({"records": [record(0.5, nope=1.0)]}).encode(), False))
    cases.append(("unknown feature only", json.dumps({"records": [{"nope": 1.0}]}).encode(), False))
    cases.append(("feature named ''", json.dumps({"records": [record(0.5, **{"": 1.0})]}).encode(), False))
    cases.append(("duplicate key", valid.replace(b'"f0": 0.5', b'"f0": 0.5, "f0": "x"', 1), True))
    cases.append(("duplicate records key", b'{"records": [], "records": ' + json.dumps([record(0.5)]).encode() + b"}", True))
    cases.append(("10,001 records", json.dumps({"records": [record(0.5)] * 10_001}).encode(), False))
    cases.append(("10,000 records", json.dumps({"records": [record(0.5)] * 10_000}).encode(), True))
    # nesting and junk
    for depth in (100, 1_000, 100_000):
        cases.append((f"{depth} nested lists", b"[" * depth + b"]" * depth, False))
        cases.append((f"{depth} nested objects", b'{"a":' * depth + b"1" + b"}" * depth, False))
        cases.append((f"{depth} nested lists as f0", b'{"records": [{"f0": ' + b"[" * depth + b"]" * depth + b"}]}", False))
        cases.append((f"{depth} unclosed lists", b"[" * depth, False))
    cases.append(("invalid UTF-8", b'{"records": [{"f0": "\xff\xfe\xc0"}]}', False))
    cases.append(("invalid UTF-8 key", b'{"records": [{"\xff": 1}]}', False))
    cases.append(("UTF-16 body", json.dumps({"records": [record(0.5)]}).encode("utf-16"), True))
    cases.append(("BOM", b"\xef\xbb\xbf" + valid, True))
    cases.append(("NUL bytes", b"\x00" * 1000, False))
    cases.append(("random bytes", bytes((i * 7919) % 256 for i in range(5000)), False))
    cases.append(("long key", json.dumps({"records": [{"f" * 1_000_000: 1.0}]}).encode(), False))
    cases.append(("long string value", json.dumps({"records": [record(0.5, f1="x" * 1_000_000)]}).encode(), False))
    cases.append(("100,000 keys", json.dumps({"records": [{f"k{i}": 1 for i in range(100_000)}]}).encode(), False))
    cases.append(("11 MB of whitespace around a valid body", valid + b" " * 11_000_000, False))
    padding = json.dumps({"records": [record(0.5)] * 1}).encode()
    cases.append(("11 MB string", b'{"records": [{"f0": "' + b"a" * 11_000_000 + b'"}]}', False))
    cases.append(("11 MB batch", b'{"records": [' + b",".join([padding[13:-2]] * (11_000_000 // len(padding) + 1)) + b"]}", False))
    return cases


def hammer(port, secrets):
    """Runs the bad requests; returns (failures, status counts)."""
    failures = []
    counts = {}
    auth = {"Authorization": f"Bearer {secrets['linear']}", "Content-Type": "application/json"}
    path = "/v1/endpoints/linear/predictions"
    requests = [(f"body: {d}", "POST", path, body, auth, lenient) for d, body, lenient in bad_bodies()]
    valid = valid_body()
    forest_path = "/v1/endpoints/forest/predictions"
    forest_valid = json.dumps({"records": [record(0.5)]}).encode()
    for description, headers in [
        ("no Authorization", {"Content-Type": "application/json"}),
        ("empty Authorization", {"Authorization": "", "Content-Type": "application/json"}),
        ("Bearer without token", {"Authorization": "Bearer", "Content-Type": "application/json"}),
        ("Bearer and a space", {"Authorization": "Bearer ", "Content-Type": "application/json"}),
        ("Basic", {"Authorization": "Basic dXNlcjpwYXNz", "Content-Type": "application/json"}),
        ("wrong secret", {"Authorization": "Bearer mlpt_x_y", "Content-Type": "application/json"}),
        ("altered secret", {"Authorization": f"Bearer {secrets['linear'][:-1]}A", "Content-Type": "application/json"}),
        ("secret + junk", {"Authorization": f"Bearer {secrets['linear']}junk", "Content-Type": "application/json"}),
        ("lowercase bearer", {"Authorization": f"bearer {secrets['linear']}", "Content-Type": "application/json"}),
        ("10 kB token", {"Authorization": "Bearer " + "a" * 10_000, "Content-Type": "application/json"}),
        ("token of another endpoint", {"Authorization": f"Bearer {secrets['forest']}", "Content-Type": "application/json"}),
        ("non-ASCII token", {"Authorization": "Bearer mlpt_\u00e9\u00e9_x".encode().decode("latin-1"), "Content-Type": "application/json"}),
    ]:
        lenient = description == "lowercase bearer"  # the scheme is case-insensitive (RFC 7235)
        requests.append((f"auth: {description}", "POST", path, valid, headers, lenient))
    for name in ["nope", "LINEAR", "linear%00", "linear/..", "..%2Flinear", "a" * 300, "%ff", "linear%20"]:
        requests.append((f"endpoint {name[:20]!r}", "POST", f"/v1/endpoints/{name}/predictions", valid, auth, False))
        requests.append((f"describe {name[:20]!r}", "GET", f"/v1/endpoints/{name}", None, auth, False))
    requests.append(("forest: linear's record shape with a string", "POST", forest_path,
                     json.dumps({"records": [record(0.5, f0="x")]}).encode(),
                     {"Authorization": f"Bearer {secrets['forest']}", "Content-Type": "application/json"}, False))
    requests.append(("forest: valid", "POST", forest_path, forest_valid,
                     {"Authorization": f"Bearer {secrets['forest']}", "Content-Type": "application/json"}, True))
    for method in ["GET", "PUT", "DELETE", "PATCH"]:
        requests.append((f"method {method}", method, path, valid if method in ("PUT", "PATCH") else None, auth, False))
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""]:
        headers = dict(auth, **{"Content-Type": content_type})
        requests.append((f"content type {content_type!r}", "POST", path, valid, headers, True))
    requests.append(("no content type", "POST", path, valid, {"Authorization": auth["Authorization"]}, True))
    requests.append(("form body", "POST", path, b"f0=1&f1=2", dict(auth, **{"Content-Type": "application/x-www-form-urlencoded"}), False))
    requests.append(("empty body", "POST", path, b"", auth, False))
    requests.append(("unknown route", "POST", "/v1/predict", valid, auth, False))
    requests.append(("query string junk", "POST", path + "?records=%ff&&=", valid, auth, True))

    print(f"[hammer] {len(requests)} requests", flush=True)
    for number, (description, method, target, body, headers, lenient) in enumerate(requests, 1):
        status, answer, problem = send(port, method, target, body, headers)
        counts[status] = counts.get(status, 0) + 1
        if status is None:
            failures.append(f"{description}: no answer ({problem})")
        elif status >= 500:
            failures.append(f"{description}: {status} {answer[:300]!r}")
        elif not 400 <= status < 500 and not lenient:
            failures.append(f"{description}: expected a 4xx, got {status} {answer[:200]!r}")
        elif 400 <= status < 500 and method == "POST" and target.endswith("/predictions") and status not in (404, 405):
            try:
                error = json.loads(answer)
                assert isinstance(error, dict)
            except (ValueError, AssertionError):
                failures.append(f"{description}: {status} without a JSON error body: {answer[:200]!r}")
        if number % 25 == 0 or number == len(requests):
            health, _, problem = send(port, "GET", "/health", None, {})
            if health != 200:
                failures.append(f"/health answered {health} ({problem}) after request {number} ({description})")
                break
    status, answer, problem = send(port, "POST", path, valid, auth)
    if status != 200:
        failures.append(f"a valid prediction after the hammer got {status} {answer[:200]!r} ({problem})")
    return failures, counts


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mlpipe", help="an existing mlpipe binary (default: build the release one)")
    parser.add_argument("--seed", type=int, default=14, help="schemathesis' seed (default 14)")
    parser.add_argument("--max-examples", type=int, default=250, help="schemathesis' examples per operation (default 250)")
    parser.add_argument("--checks", default="not_a_server_error", help="schemathesis' checks (default not_a_server_error)")
    parser.add_argument("--skip-schemathesis", action="store_true", help="run the hammer phase only")
    parser.add_argument("--skip-hammer", action="store_true", help="run the schemathesis phase only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and print its path")
    arguments = parser.parse_args()

    if not arguments.skip_schemathesis and not os.path.exists(os.path.join(serving.venv_bin(), "schemathesis")):
        sys.exit(f"no schemathesis beside {sys.executable}: .venv/bin/pip install schemathesis")
    mlpipe = os.path.abspath(arguments.mlpipe) if arguments.mlpipe else serving.build_mlpipe()
    directory = tempfile.mkdtemp(prefix="mlpipe-fuzz-")
    store = os.path.join(directory, "store.sqlite")
    failures = []
    log = os.path.join(directory, "mlpipe-serve.log")
    print("fitting models and setting up the store ...", flush=True)
    secrets = {}
    try:
        for name, (model, frame, y, classes) in serving.fit_models().items():
            secrets[name] = serving.setup_endpoint(mlpipe, store, directory, name, serving.payload_for(name, model), classes)
        port = serving.free_port()
        server = serving.start_ours(mlpipe, store, port, log)
    except SystemExit:
        print(f"kept {directory} (store, logs)", file=sys.stderr)
        raise
    try:
        if not arguments.skip_schemathesis:
            for label, name, secret in [("linear", "linear", secrets["linear"]), ("forest", "forest", secrets["forest"]),
                                        ("any-name", None, secrets["linear"])]:
                if not schemathesis_run(directory, port, name, secret, arguments.seed, arguments.max_examples,
                                        arguments.checks, label):
                    failures.append(f"schemathesis ({label}) found failures: see above")
                if server.poll() is not None:
                    failures.append(f"the server exited ({server.returncode}) during schemathesis ({label})")
                    break
        if not arguments.skip_hammer and server.poll() is None:
            hammer_failures, counts = hammer(port, secrets)
            failures += hammer_failures
            print("[hammer] statuses: " + ", ".join(f"{k if k is not None else 'no answer'}: {v}"
                                                     for k, v in sorted(counts.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))))
        if server.poll() is not None:
            failures.append(f"the server exited with {server.returncode}")
        else:
            health, _, problem = send(port, "GET", "/health", None, {})
            if health != 200:
                failures.append(f"/health answered {health} ({problem}) at the end")
    finally:
        serving.stop(server)
    if failures:
        print("\n".join(["FAIL:"] + ["  " + f for f in failures]))
        print("server log (tail):\n" + serving.tail(log, 40))
    else:
        print("PASS: no 5xx, every bad request answered 4xx, the server kept serving")
    if arguments.keep:
        print(f"kept {directory}")
    else:
        shutil.rmtree(directory, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
