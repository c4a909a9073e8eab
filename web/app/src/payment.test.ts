import { describe, expect, it } from "vitest";
import { step } from "./payment";

const due = "2026-12-07T09:15:00Z";

describe("the booking's payment step", () => {
  it("asks for a provider until a payment is under way", () => {
    expect(step({ status: "pending_payment", payment_due_at: due }, null)).toEqual({
      kind: "choose_provider",
      dueAt: due,
    });
    expect(step({ status: "pending_payment" }, { status: "failed" }).kind).toBe("choose_provider");
  });

  it("sends the payer to Orange Money's page, or to their phone for Moov Money", () => {
    const orange = { status: "pending", next_action: { type: "redirect", url: "https://om/pay" } };
    const moov = { status: "pending", next_action: { type: "confirm_on_phone", url: null } };
    expect(step({ status: "pending_payment" }, orange)).toMatchObject({
      kind: "open_provider_page",
      url: "https://om/pay",
    });
    expect(step({ status: "pending_payment" }, moov).kind).toBe("confirm_on_phone");
  });

  it("waits for the consultation once paid, then says it is confirmed", () => {
    expect(step({ status: "pending_payment" }, { status: "succeeded" }).kind).toBe(
      "waiting_for_provider",
    );
    expect(step({ status: "confirmed" }, { status: "succeeded" })).toEqual({ kind: "confirmed" });
    expect(step({ status: "expired" }, { status: "expired" })).toEqual({
      kind: "not_paid",
      why: "expired",
    });
  });
});
