#!/usr/bin/env bash
# CI: the JSON API (issue 19) against its own OpenAPI document, by schemathesis (PyPI, pinned below, in the CI venv
# target/ci-python): a demo practice is served, a `read` token is made for one of its therapists with
# `alliance user token` while it runs, and schemathesis calls every /api/v1 operation with generated input.
# Fails on any server error and on any answer the document does not describe (status, content type, body schema).
#
# Builds nothing: needs target/debug/alliance (or ALLIANCE_BIN). Installs schemathesis when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS="schemathesis==4.32.5"
bin="${ALLIANCE_BIN:-target/debug/alliance}"
python="target/ci-python/bin/python"
[[ -x "$bin" ]] || { echo "api-schemathesis: $bin is missing: cargo build -p alliance" >&2; exit 1; }
[[ -x "$python" ]] || python3 -m venv target/ci-python
target/ci-python/bin/schemathesis --version 2>/dev/null | grep -q "${SCHEMATHESIS#schemathesis==}" \
  || target/ci-python/bin/pip install --quiet --disable-pip-version-check "$SCHEMATHESIS"

work="$(mktemp -d)"
demo_pid=""
cleanup() {
  if [[ -n "$demo_pid" ]]; then kill "$demo_pid" 2>/dev/null || true; wait "$demo_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "-- a demo practice"
ALLIANCE_LOG=warn "$bin" demo --data "$work/data" --bind 127.0.0.1:0 --clients 4 >"$work/demo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 1 240); do
  grep -q '^Press Ctrl+C to stop' "$work/demo.log" && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.log" >&2; echo "api-schemathesis: the demo stopped" >&2; exit 1; }
  sleep 0.5
done
grep -q '^Press Ctrl+C to stop' "$work/demo.log" || { echo "api-schemathesis: the demo did not start" >&2; exit 1; }
base="$(sed -n 's|^Open \(http://[^ ]*\)/login.*|\1|p' "$work/demo.log" | head -n 1)"
therapist="$(awk '$1 == "therapist" { print $2; exit }' "$work/demo.log")"
[[ -n "$base" && -n "$therapist" ]] || { cat "$work/demo.log" >&2; echo "api-schemathesis: no address or therapist" >&2; exit 1; }
echo "demo at $base; token for $therapist"

# The command opens the practice beside the running server, as `user reset-access` does.
token="$("$bin" user token --data "$work/data" --email "$therapist" --name schemathesis --scope read --days 1)"
[[ "$token" == alliance_pat_* ]] || { echo "api-schemathesis: no token made" >&2; exit 1; }
status="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/api/v1/clients")"
[[ "$status" == 200 ]] || { echo "api-schemathesis: the token was refused ($status)" >&2; exit 1; }

echo "-- schemathesis"
# Generated requests only for the document's operations; a read token, so writes answer 403 (documented) and
# nothing is changed. The time budget (fuzzing and stateful runs repeat until it is spent) keeps the step near
# two minutes with the demo's start.
target/ci-python/bin/schemathesis run "$base/api/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,ignored_auth \
  --max-examples 25 \
  --max-time 90 \
  --seed 19 \
  --no-color
