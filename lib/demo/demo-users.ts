// The demo sign-ins. This file is the ONLY place demo passwords exist: the demo seed creates
// these users, and README / e2e specs import them from here. Never used outside a demo seed.

/** The generated practitioners the demo therapists are (first two of the 72). */
export const DEMO_PRACTITIONERS = [
  { fhirId: "prac-001", givenName: "Maya", familyName: "Chen", credentials: "PsyD", gender: "female" },
  { fhirId: "prac-002", givenName: "James", familyName: "Okafor", credentials: "LCSW", gender: "male" },
] as const;

export const DEMO_USERS = {
  admin: { email: "admin@careexport.local", password: "Admin!2026demo", name: "Avery Admin", role: "ADMIN", practitionerFhirId: null },
  therapist: { email: "therapist@careexport.local", password: "Therapist!2026demo", name: "Dr. Maya Chen", role: "THERAPIST", practitionerFhirId: "prac-001" },
  therapist2: { email: "therapist2@careexport.local", password: "Therapist!2026demo", name: "James Okafor", role: "THERAPIST", practitionerFhirId: "prac-002" },
  analyst: { email: "analyst@careexport.local", password: "Analyst!2026demo", name: "Jordan Analyst", role: "ANALYST", practitionerFhirId: null },
} as const;

export type TDemoUserKey = keyof typeof DEMO_USERS;
