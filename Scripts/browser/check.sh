#!/usr/bin/env bash
# Checks mlpipe's HTML reports in headless Chromium: Scripts/browser/check.sh TARGET... [options]
# (see check_report.py's docstring). Installs Debian's chromium and python3-venv when missing,
# creates .venv-browser/ at the repository root from requirements.txt when missing or older
# than it, then runs check_report.py with the given arguments.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.venv-browser"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

# Debian's packages this needs: chromium (unless CHROMIUM names another browser) and python3-venv.
missing=()
if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
if ! dpkg-query -W -f='${Status}' python3-venv 2>/dev/null | grep -q "install ok installed"; then missing+=(python3-venv); fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "check.sh: installing Debian's ${missing[*]}" >&2
    $sudo apt-get update -qq >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [ ! -f "$venv/.installed" ] || [ "$here/requirements.txt" -nt "$venv/.installed" ]; then
    echo "check.sh: setting up $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
    touch "$venv/.installed"
fi

exec "$venv/bin/python" "$here/check_report.py" "$@"
