import { describe, expect, it } from "vitest";
import { shown } from "./problems";

describe("a problem document", () => {
  it("becomes a sentence and one sentence per field it names", () => {
    const problem = {
      status: 422,
      detail: "Some fields are missing or invalid",
      errors: [
        { field: "phone", message: "not a Malian number" },
        { field: "emergency_contact.phone", message: "required" },
      ],
    };

    expect(shown(problem, "fallback")).toEqual({
      message: "Some fields are missing or invalid.",
      fields: { phone: "Not a Malian number.", emergency_contact: "Required." },
    });
  });

  it("without a body gives the fallback, never raw JSON", () => {
    expect(shown(null, "Try again.")).toEqual({ message: "Try again.", fields: {} });
  });
});
