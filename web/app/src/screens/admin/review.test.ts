import { describe, expect, it } from "vitest";
import {
  actionsFor,
  adminScreenOf,
  decisionKey,
  isStatus,
  newestFirst,
  reasonProblem,
  referenceOf,
  withoutRefund,
} from "./review";

describe("the administrators' paths", () => {
  it("name the review queue, a doctor and the refunds", () => {
    expect(adminScreenOf("/admin/doctors")).toEqual({ screen: "queue" });
    expect(adminScreenOf("/admin")).toEqual({ screen: "queue" });
    expect(adminScreenOf("/admin/doctors/01ABC")).toEqual({ screen: "doctor", id: "01ABC" });
    expect(adminScreenOf("/admin/doctors/01ABC/")).toEqual({ screen: "doctor", id: "01ABC" });
    expect(adminScreenOf("/admin/refunds")).toEqual({ screen: "refunds" });
    expect(adminScreenOf("/admin/nowhere/at/all")).toEqual({ screen: "queue" });
  });
});

describe("the review", () => {
  it("knows its statuses", () => {
    expect(isStatus("suspended")).toBe(true);
    expect(isStatus("deleted")).toBe(false);
    expect(isStatus(null)).toBe(false);
  });

  it("offers what the status allows", () => {
    expect(actionsFor("pending")).toEqual(["verify", "suspend"]);
    expect(actionsFor("verified")).toEqual(["suspend"]);
    expect(actionsFor("suspended")).toEqual(["verify"]);
  });

  it("wants a reason of 3 to 500 characters, spaces around not counted", () => {
    expect(reasonProblem("   ")).toBe("reason_required");
    expect(reasonProblem(" ab ")).toBe("reason_short");
    expect(reasonProblem("abc")).toBeNull();
    expect(reasonProblem("é".repeat(500))).toBeNull();
    expect(reasonProblem("x".repeat(501))).toBe("reason_long");
  });

  it("tells each decision by where it came from", () => {
    const at = "2031-03-03T09:00:00Z";
    expect(decisionKey({ action: "verify", status_before: "pending", status_after: "verified", decided_at: at }))
      .toBe("decision_verified");
    expect(decisionKey({ action: "verify", status_before: "suspended", status_after: "verified", decided_at: at }))
      .toBe("decision_reinstated");
    expect(decisionKey({ action: "suspend", status_before: "verified", status_after: "suspended", decided_at: at }))
      .toBe("decision_suspended");
    expect(decisionKey({ action: "suspend", status_before: "pending", status_after: "suspended", decided_at: at }))
      .toBe("decision_refused");
  });

  it("shows the newest decision first", () => {
    const older = { decided_at: "2031-03-03T09:00:00Z" };
    const newer = { decided_at: "2031-03-04T09:00:00.5Z" };
    expect(newestFirst([older, newer])).toEqual([newer, older]);
  });
});

describe("the refunds", () => {
  it("leave the list once paid", () => {
    const refunds = [{ payment_id: "a" }, { payment_id: "b" }];
    expect(withoutRefund(refunds, "a")).toEqual([{ payment_id: "b" }]);
  });

  it("need the provider's reference", () => {
    expect(referenceOf("  OM-1234 ")).toBe("OM-1234");
    expect(referenceOf("   ")).toBeNull();
    expect(referenceOf("x".repeat(101))).toBeNull();
  });
});
