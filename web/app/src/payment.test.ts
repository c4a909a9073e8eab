import { describe, expect, it } from "vitest";
import { canJoinCall, refundOf, step } from "./payment";

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

describe("joining the call", () => {
  const starts = "2026-12-07T09:00:00Z";
  const at = (iso: string) => new Date(iso).getTime();

  it("is offered a quarter of an hour before a confirmed consultation, and while it goes on", () => {
    expect(canJoinCall({ status: "confirmed", starts_at: starts }, at("2026-12-07T08:44:00Z"))).toBe(false);
    expect(canJoinCall({ status: "confirmed", starts_at: starts }, at("2026-12-07T08:45:00Z"))).toBe(true);
    expect(canJoinCall({ status: "in_progress", starts_at: starts }, at("2026-12-07T08:00:00Z"))).toBe(true);
  });

  it("is not offered for a consultation not paid, cancelled or over", () => {
    const now = at(starts);
    for (const status of ["pending_payment", "cancelled", "completed", "no_show", "expired"]) {
      expect(canJoinCall({ status, starts_at: starts }, now)).toBe(false);
    }
  });
});

describe("the refund of a cancelled consultation", () => {
  const failed = { status: "failed", amount_xof: 7500, refund_status: null };

  it("is none while nothing was refunded", () => {
    expect(refundOf([failed, { status: "succeeded", amount_xof: 7500, refund_status: null }])).toBeNull();
  });

  it("is waiting while an administrator has it to send", () => {
    expect(refundOf([failed, { status: "succeeded", amount_xof: 7500, refund_status: "queued" }]))
      .toEqual({ kind: "waiting", amountXof: 7500 });
  });

  it("is sent, with when and the provider's reference, whichever try was paid", () => {
    const paid = {
      status: "refunded", amount_xof: 7500, refund_status: "refunded",
      refund_reference: "OM-REF-1", refunded_at: "2026-12-07T10:00:00Z",
    };
    expect(refundOf([paid, failed])).toEqual({
      kind: "sent", amountXof: 7500, at: "2026-12-07T10:00:00Z", reference: "OM-REF-1",
    });
  });
});
