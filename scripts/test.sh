#!/usr/bin/env bash
# Runs every test of the project: installs the test tools it needs, checks
# formatting and go.mod, then the Go tests (unit, API, PDF, sync) — with the
# race detector on the packages that run goroutines or share state — then
# the web app's end-to-end tests in headless Chromium against the real server.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-1}" # a missing tool fails a test instead of skipping it
bash scripts/test-deps.sh
# a throwaway PostgreSQL for the roll-up's tests (rollup/), stopped on exit;
# its tests fail rather than skip when PostgreSQL is missing
source scripts/postgres.sh && pg_start && trap pg_stop EXIT
export YUETAN_REQUIRE_POSTGRES=1
started=$SECONDS
step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - started)); }

step "gofmt, go mod tidy, go vet"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt: not formatted: $unformatted" >&2
  exit 1
fi
go mod tidy -diff
go vet ./...

# packages with goroutines, caches or shared state run under the race detector
race="./tabletsync/... ./pb_hooks ./forms ./stats ./workdays ./notify"
step "go test -race $race"
go test -race -count=1 -timeout 20m $race
step "go test (the other packages)"
go test -count=1 -timeout 20m $(go list ./... | grep -v -e '/tabletsync' -e '/pb_hooks$' -e '/forms$' -e '/stats$' -e '/workdays$' -e '/notify$')

step "third_party/dbx (the patched rewrite is the upstream one's)"
(cd third_party/dbx && go test -count=1 .)

step "end-to-end tests (Chromium)"
# one server binary for every test file; each file starts its own server
bin="$(mktemp -d)/yuetan"
go build -o "$bin" .
(cd e2e && YUETAN_BIN="$bin" node --test --test-concurrency=1 tests/)
rm -rf "$(dirname "$bin")"
step "all tests passed"
