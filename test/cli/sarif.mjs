// Validates a SARIF log against the OASIS SARIF 2.1.0 schema (draft-07, "$id" …/Schemata/sarif-schema-2.1.0.json),
// vendored so the tests need no network; taken from the npm package @datadog/datadog-ci-plugin-sarif 5.25.0,
// which bundles it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv = require('ajv');
const addFormats = require('ajv-formats');
const SARIF_SCHEMA = JSON.parse(fs.readFileSync(new URL('./sarif-schema-2.1.0.json', import.meta.url), 'utf8'));
let validateSarif;

export function assertSarifValid(log) {
  if (!validateSarif) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validateSarif = ajv.compile(SARIF_SCHEMA);
  }
  const ok = validateSarif(log);
  assert.ok(ok, `SARIF not valid against the 2.1.0 schema: ${JSON.stringify(validateSarif.errors, null, 2)}`);
}
