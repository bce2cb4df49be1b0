#!/usr/bin/env bash
# Runs every test of the project: installs the test tools it needs, then the
# Go tests (unit, API, PDF, sync) with the race detector off for speed, then
# the web app's end-to-end tests in headless Chromium against the real server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-deps.sh
go vet ./...
go test -count=1 -timeout 20m ./...
# e2e: one server binary for every test file; each file starts its own server
bin="$(mktemp -d)/yuetan"
go build -o "$bin" .
(cd e2e && YUETAN_BIN="$bin" node --test --test-concurrency=1 tests/)
rm -rf "$(dirname "$bin")"
