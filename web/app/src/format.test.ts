import { describe, expect, it } from "vitest";
import { bamakoDateTime, bamakoTime, countdown, money } from "./format";

describe("money", () => {
  it("is whole FCFA grouped as each language writes it", () => {
    expect(money(7500, "fr")).toBe("7\u00a0500\u00a0FCFA");
    expect(money(7500, "en")).toBe("7,500\u00a0FCFA");
    expect(money(1250000, "bm")).toBe("1\u00a0250\u00a0000\u00a0FCFA");
    expect(money(2000.4, "fr")).toBe("2\u00a0000\u00a0FCFA");
  });
});

describe("times", () => {
  it("are shown in Bamako time whatever the device's zone", () => {
    // Bamako is UTC+0 all year: 09:30Z is 09:30 there.
    expect(bamakoTime("2026-12-07T09:30:00Z")).toBe("09:30");
    expect(bamakoDateTime("2026-12-07T09:30:00Z", "fr")).toMatch(/lun\.? 7 déc\.?.*09:30/);
    expect(bamakoDateTime("2026-12-07T09:30:00Z", "en")).toMatch(/Mon.*7 Dec.*09:30/);
  });

  it("count down the payment window and stop at zero", () => {
    const now = Date.parse("2026-12-07T09:00:00Z");
    expect(countdown("2026-12-07T09:14:05Z", now)).toBe("14:05");
    expect(countdown("2026-12-07T08:59:00Z", now)).toBe("0:00");
  });
});
