// GET /metadata and /.well-known/smart-configuration: what this server does, and only that.
import { RESOURCE_TYPES } from "@/lib/fhir/api/resource-types";

const BULK_DATA = "http://hl7.org/fhir/uv/bulkdata";

const FHIR_SEARCH_TYPES: Record<string, string> = { token: "token", date: "date", reference: "reference", string: "string" };

export function buildCapabilityStatement(baseUrl: string, software: { name: string; version: string }) {
  const resources = [
    ...RESOURCE_TYPES.map((definition) => ({
      type: definition.type,
      interaction: [{ code: "read" }, { code: "search-type" }],
      searchParam: Object.entries(definition.params).map(([name, param]) => ({ name, type: FHIR_SEARCH_TYPES[param.kind]!, documentation: `${param.documentation}${param.identifiedOnly ? " (identified views only)" : ""}` })),
    })),
    { type: "Questionnaire", interaction: [{ code: "read" }, { code: "search-type" }], searchParam: [{ name: "_id", type: "token" }, { name: "url", type: "uri" }, { name: "name", type: "string" }, { name: "title", type: "string" }] },
    {
      type: "Group",
      interaction: [{ code: "read" }, { code: "search-type" }],
      searchParam: [{ name: "_id", type: "token", documentation: "org-<organization> or caseload-<therapist>" }, { name: "name", type: "string" }],
      operation: [{ name: "group-export", definition: `${BULK_DATA}/OperationDefinition/group-export` }],
    },
    { type: "Measure", interaction: [{ code: "read" }, { code: "search-type" }], searchParam: [{ name: "_id", type: "token" }, { name: "url", type: "uri" }, { name: "name", type: "string" }] },
    {
      type: "MeasureReport",
      interaction: [{ code: "search-type" }],
      searchParam: [
        { name: "measure", type: "reference", documentation: "The Measure (id, canonical URL or metric name); several comma-separated" },
        { name: "period", type: "date", documentation: "ge: the metrics' window start; le: the export date (default today)" },
        { name: "subject", type: "reference", documentation: "Organization/<id>" },
      ],
    },
  ].map((resource) => (resource.type === "Patient" ? { ...resource, operation: [{ name: "patient-export", definition: `${BULK_DATA}/OperationDefinition/patient-export` }] } : resource));

  return {
    resourceType: "CapabilityStatement",
    status: "active",
    date: "2026-12-07",
    kind: "instance",
    instantiates: [`${BULK_DATA}/CapabilityStatement/bulk-data`],
    software,
    implementation: { description: "CareExport FHIR R4 API (read, search and Bulk Data $export)", url: baseUrl },
    fhirVersion: "4.0.1",
    format: ["application/fhir+json", "json"],
    rest: [
      {
        mode: "server",
        documentation:
          "Therapists see their assigned patients identified; admins everything identified; analysts a de-identified view (pseudonymous ids equal to the CSV datasets', dates per profile, no direct identifiers). " +
          "Search paging: the Bundle's next link (opaque cursor); _count (default 50, at most 1000); _sort=_lastUpdated or date (- for descending); _summary=count; _elements; _format=csv for the matching dataset table's columns. " +
          "Unknown parameters are ignored unless Prefer: handling=strict. " +
          "Bulk Data $export (system, Patient, Group) with Accept: application/fhir+json and Prefer: respond-async; files are NDJSON, downloaded with the exporting client's token.",
        security: {
          cors: false,
          service: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/restful-security-service", code: "SMART-on-FHIR" }], text: "SMART Backend Services (private_key_jwt); also a signed-in session or a personal API token" }],
          extension: [{ url: "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris", extension: [{ url: "token", valueUri: `${baseUrl}/auth/token` }] }],
        },
        resource: resources.map((resource) => ({ ...resource, versioning: "no-version", readHistory: false, updateCreate: false })),
        interaction: [],
        operation: [{ name: "export", definition: `${BULK_DATA}/OperationDefinition/export` }],
      },
    ],
  };
}

export function buildSmartConfiguration(baseUrl: string) {
  const types = [...RESOURCE_TYPES.map((definition) => definition.type), "Questionnaire", "Group", "Measure", "MeasureReport"];

  return {
    token_endpoint: `${baseUrl}/auth/token`,
    token_endpoint_auth_methods_supported: ["private_key_jwt"],
    token_endpoint_auth_signing_alg_values_supported: ["RS384", "ES384"],
    grant_types_supported: ["client_credentials"],
    scopes_supported: ["system/*.read", "system/*.rs", "system/*.r", "system/*.s", ...types.map((type) => `system/${type}.read`)],
    capabilities: ["client-confidential-asymmetric", "permission-v1", "permission-v2"],
  };
}
