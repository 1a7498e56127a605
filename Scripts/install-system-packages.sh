#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the SDK builds and tests against, only when one is
# missing: OpenBLAS and LAPACKE (numerics), SQLite (the embedded store, through GRDB),
# libpng and libjpeg-turbo (image decoding), pkg-config (to locate them) and PostgreSQL
# (the server Scripts/postgres.sh starts for the PostgreSQL tests).
# Uses sudo when not run as root. Safe to run repeatedly.
set -euo pipefail

packages=(libopenblas-dev liblapacke-dev libsqlite3-dev libpng-dev libjpeg62-turbo-dev pkg-config postgresql)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "Installing missing system packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
else
    sudo=(sudo)
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
