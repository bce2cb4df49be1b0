#!/usr/bin/env bash
# Runs every test of the project: installs the test tools it needs, then the
# Go tests (unit, API, PDF, sync) with the race detector off for speed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-deps.sh
go vet ./...
go test -count=1 -timeout 20m ./...
