import { describe, expect, it } from "vitest";

import { thirdPartyScrubber } from "@/lib/anonymize/third-party-scrubber";

describe("the reports' third-party scrubber", () => {
  const scrub = thirdPartyScrubber({ emergencyContactName: "Jordan Keller-Ames", givenName: "Morgan", familyName: "Reportson", preferredName: null });

  it("removes the emergency contact's name in any case and hyphenation, and keeps the patient's", () => {
    expect(scrub("Morgan Reportson came with JORDAN keller ames")).toBe("Morgan Reportson came with [name removed] [name removed]");
  });

  it("removes other people's e-mail addresses and phones with the dataset scrubber's patterns, and mentions", () => {
    expect(scrub("sister Dana wrote from d.q@mail.example, call (312) 555-0188")).toBe("sister [name removed] wrote from [email removed], call [phone removed]");
    expect(scrub("spoke with: Morgan")).toBe("spoke with: Morgan");
  });

  it("passes null through", () => {
    expect(scrub(null)).toBeNull();
  });
});
