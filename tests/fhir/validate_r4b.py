"""Parses FHIR JSON files with the `fhir.resources` R4B models (PyPI `fhir.resources` 7.x). Each file holds one
resource; a Bundle's entries are parsed one by one as well. Exits 1 when any resource does not parse.

    target/ci-python/bin/python tests/fhir/validate_r4b.py FILE...
"""

import json
import sys

from fhir.resources.R4B import construct_fhir_element


def main(files):
    if not files:
        print("usage: validate_r4b.py FILE...", file=sys.stderr)
        return 2
    checked = invalid = 0
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                top = json.load(f)
        except (OSError, ValueError) as e:
            print(f"{path}: not JSON: {e}", file=sys.stderr)
            invalid += 1
            continue
        resources = [(path, top)]
        if isinstance(top, dict) and top.get("resourceType") == "Bundle":
            for i, entry in enumerate(top.get("entry") or []):
                resources.append((f"{path} entry {i}", (entry or {}).get("resource") or {}))
        for where, resource in resources:
            checked += 1
            kind = resource.get("resourceType") if isinstance(resource, dict) else None
            try:
                if not kind:
                    raise ValueError("no resourceType")
                construct_fhir_element(kind, resource)
            except Exception as e:  # the models raise several kinds of validation errors
                invalid += 1
                first = str(e).splitlines()[:6]
                print(f"{where} ({kind}/{resource.get('id', '?')}): {' | '.join(first)}", file=sys.stderr)
    print(f"fhir.resources R4B: {checked - invalid} of {checked} resources parsed")
    return 0 if invalid == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
