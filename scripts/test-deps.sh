#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine (run as root):
# poppler-utils for PDF text extraction and rasterising, zbar-tools to read
# the forms' QR codes back, Debian's postgresql for the roll-up's tests,
# Debian's chromium, a CJK font (fonts-noto-cjk,
# so screenshots show Chinese, not boxes), node and playwright-core (e2e/,
# from its lock file) for the web app's end-to-end tests.
set -euo pipefail
need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
fc-list :lang=zh 2>/dev/null | grep -qi "noto" || need+=(fonts-noto-cjk fontconfig)
# PostgreSQL for the roll-up's tests (scripts/postgres.sh starts a throwaway server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing ${need[*]}: run as root or install them" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# playwright-core only (it drives the chromium above; no browser download)
e2e="$(cd "$(dirname "$0")/.." && pwd)/e2e"
if [ ! -d "$e2e/node_modules/playwright-core" ]; then
  (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
