import { describe, expect, it } from "vitest";

import { verifiedEmailOf } from "@/lib/auth/oidc-profile";

describe("verifiedEmailOf", () => {
  it("takes the email only when the provider has verified it", () => {
    expect(verifiedEmailOf({ sub: "1", email: "Maya.Chen@Clinic.example", email_verified: true })).toBe("maya.chen@clinic.example");
    expect(verifiedEmailOf({ sub: "1", email: "maya.chen@clinic.example", email_verified: "true" })).toBe("maya.chen@clinic.example");
    expect(verifiedEmailOf({ sub: "1", email: "maya.chen@clinic.example", email_verified: false })).toBeNull();
    expect(verifiedEmailOf({ sub: "1", email: "maya.chen@clinic.example" })).toBeNull();
    expect(verifiedEmailOf({ sub: "1", email_verified: true })).toBeNull();
  });
});
