import { describe, expect, it } from "vitest";
import { e164 } from "./phone";

describe("a Malian phone number", () => {
  it("is written in E.164 however it was typed", () => {
    for (const typed of ["76 12 34 56", "76123456", "0022376123456", "223 76 12 34 56", "+22376123456"]) {
      expect(e164(typed)).toBe("+22376123456");
    }
  });

  it("is left for the API to refuse when it is not one", () => {
    expect(e164("12 34")).toBe("1234");
  });
});
