import { describe, expect, it } from "vitest";

import { fieldLabel, messageForPeople } from "./message-for-people";

describe("API errors in words for people", () => {
  it("names fields as the forms do, never by their paths", () => {
    expect(fieldLabel("end_date")).toBe("End date");
    expect(fieldLabel("schedule_config.timezone")).toBe("Time zone");
    expect(fieldLabel("include_sections.notes")).toBe("Sections (notes)");
    expect(fieldLabel("options.include_transcript")).toBe("Include transcript");
    expect(fieldLabel("(body)")).toBe("");
  });

  it("says each reason once: an error line repeating its issue is dropped", () => {
    expect(messageForPeople("end_date: must be on or after start_date", [{ path: "end_date", message: "must be on or after start_date" }])).toBe("End date: must be on or after the start date");
    expect(messageForPeople("Invalid schedule", [{ path: "schedule_config.timezone", message: "is not a known time zone" }])).toBe("Time zone: is not a known time zone");
    expect(messageForPeople("Invalid", [{ path: "a", message: "x" }, { path: "a", message: "x" }])).toBe("A: x");
  });

  it("puts field names inside a reason into words", () => {
    expect(messageForPeople("Invalid", [{ path: "end_date", message: "must not be before start_date" }])).toBe("End date: must not be before the start date");
    expect(messageForPeople("give template_id (or export_type)", [])).toBe("Give the template (or the report type)");
  });

  it("keeps an error that says something the issues do not, and a bare error without its path", () => {
    expect(messageForPeople("Too many dataset exports this hour. Try again in 12 minutes.", [])).toBe("Too many dataset exports this hour. Try again in 12 minutes.");
    expect(messageForPeople("role: the last active admin cannot lose the admin role", [])).toBe("The last active admin cannot lose the admin role");
    expect(messageForPeople(null, [])).toBe("");
  });
});
