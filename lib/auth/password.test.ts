import { describe, expect, it } from "vitest";

import { assertStrongPassword, passwordWeakness } from "@/lib/auth/password";
import { DEMO_USERS } from "@/lib/demo/demo-users";
import { AppError } from "@/lib/errors/app-error";

const jordan = { name: "Jordan Okonkwo", email: "jordan.okonkwo@riverside-clinic.org" };

describe("password strength", () => {
  it("refuses short passwords, whatever they are", () => {
    expect(passwordWeakness("password12", jordan)).toBe("must be at least 12 characters");
    expect(passwordWeakness("1234567890", jordan)).toBe("must be at least 12 characters");
    expect(passwordWeakness("Zq8#mL2!vX", jordan)).toBe("must be at least 12 characters");
  });

  it("refuses long but guessable passwords with zxcvbn's reason", () => {
    expect(passwordWeakness("password1234", jordan)).toBe("is too easy to guess. This is similar to a commonly used password. Add more words that are less common.");
    expect(passwordWeakness("qwertyuiop123", jordan)).toMatch(/^is too easy to guess\. This is similar to a commonly used password/);
    expect(passwordWeakness("aaaaaaaaaaaaaaaa", jordan)).toMatch(/Repeated characters like "aaa" are easy to guess/);
    expect(passwordWeakness("123456789012", jordan)).toMatch(/^is too easy to guess/);
  });

  it("counts the person's name and email as known words", () => {
    for (const password of ["JordanOkonkwo1!", "Okonkwo!Jordan", "jordan.okonkwo1", "okonkwo2026!!", "riverside-clinic1"]) {
      expect(passwordWeakness(password, jordan), password).toMatch(/^is too easy to guess/);
      // The same password for somebody else is strong enough: it is the personal words that make it weak.
      expect(passwordWeakness(password, { name: "Sam Lee", email: "sam@example.org" }), password).toBeNull();
    }
  });

  it("accepts strong passwords, a name among other words included", () => {
    for (const password of ["Quiet-harbour-lantern-42", "Correct-horse-1", "Jordan-lantern-harbour-7", "Tr0ub4dor&3xyz"]) expect(passwordWeakness(password, jordan), password).toBeNull();
  });

  it("the demo sign-ins pass the rule for their own users (the e2e suite and README use them)", () => {
    for (const user of Object.values(DEMO_USERS)) expect(passwordWeakness(user.password, user), user.email).toBeNull();
  });

  it("throws a 400 naming the field, with the reason", () => {
    const error = (() => {
      try {
        assertStrongPassword("password1234", jordan, "new_password");
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "INVALID_INPUT", issues: [{ path: "new_password", message: expect.stringMatching(/^is too easy to guess/) }] });
  });
});
