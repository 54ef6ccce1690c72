#!/usr/bin/env bash
# `bun run test`: everything CI runs. Setup, a fresh build of dist/tubelet, typecheck, xss-scan, then every
# bun:test tier (unit, integration, e2e). Every step runs even when an earlier one fails, so one run shows
# all problems. The last line is always "N passed, N failed" (bun test's counts); the exit status is
# non-zero when anything failed. Arguments go to `bun test` (e.g. `bun run test test/unit`).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
SCRIPT_NAME=test
. scripts/lib.sh

bash scripts/setup.sh --test || die "setup failed; nothing was tested"
bun scripts/build-assets.ts || say "building the browser bundles failed; the build step and tests that load assets will fail too"
load_dotenv
# Test databases are created on the same server as the app's, by the same role, unless told otherwise.
if [ -z "${TEST_DATABASE_ADMIN_URL:-}" ] && [ -n "${DATABASE_URL:-}" ]; then
  base=${DATABASE_URL%%[?#]*}
  export TEST_DATABASE_ADMIN_URL="${base%/*}/postgres"
fi

artifacts=test/artifacts
mkdir -p "$artifacts"
log=$artifacts/test.log
: >"$log"
failed_steps=()

# Runs one step with its output on the terminal and in the log; remembers it when it fails.
step() {
  local name=$1
  shift
  say "$name: $*" | tee -a "$log"
  "$@" 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || failed_steps+=("$name")
}

# The binary tests run dist/tubelet, so it is rebuilt first and never tested stale.
step build bun run build
step typecheck bunx tsc --noEmit -p .
step xss-scan bunx xss-scan

summary=$artifacts/bun-test.log
say "bun test (output in $log)" | tee -a "$log"
# bunfig.toml's [test] timeout is not applied by every bun version; the flag is.
bun test --timeout 60000 "$@" 2>&1 | tee "$summary"
test_status=${PIPESTATUS[0]}
cat "$summary" >>"$log"

# Bun prints " 12 pass" and " 1 fail" in its summary; colour codes are stripped in case a terminal is faked.
count() { sed 's/\x1b\[[0-9;]*m//g' "$summary" | grep -E "^ *[0-9]+ $1\$" | tail -n 1 | tr -dc 0-9; }
passed=$(count pass)
failed=$(count fail)
passed=${passed:-0}
failed=${failed:-0}

status=0
if [ "${#failed_steps[@]}" -gt 0 ]; then
  say "failed steps: ${failed_steps[*]}" | tee -a "$log"
  status=1
fi
if [ "$test_status" -ne 0 ]; then
  [ "$failed" -gt 0 ] || say "bun test exited with status $test_status (an error outside any test, or no tests found)" | tee -a "$log"
  status=1
fi
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed" | tee -a "$log"
exit "$status"
