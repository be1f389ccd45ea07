// Moved to lib/input/input-guards.ts (the CLI and the FHIR import use the same bounds, and domain
// code does not import the HTTP layer). Kept so that imports from parallel branches still resolve.
export * from "@/lib/input/input-guards";
