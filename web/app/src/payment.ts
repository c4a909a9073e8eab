// The booking and payment steps as one state, from what the API says of the consultation and
// of its payment: what the patient sees and may do next.
export type Step =
  | { kind: "choose_provider"; dueAt: string | null }
  | { kind: "open_provider_page"; url: string; dueAt: string | null }
  | { kind: "confirm_on_phone"; dueAt: string | null }
  | { kind: "waiting_for_provider"; dueAt: string | null }
  | { kind: "confirmed" }
  | { kind: "not_paid"; why: "failed" | "expired" }
  | { kind: "other"; status: string };

export interface ConsultationState {
  status: string;
  payment_due_at?: string | null;
}

export interface IntentState {
  status: string;
  next_action?: { type: string; url?: string | null } | null;
}

export function step(consultation: ConsultationState, intent: IntentState | null): Step {
  const dueAt = consultation.payment_due_at ?? null;
  if (consultation.status === "confirmed") return { kind: "confirmed" };
  if (consultation.status === "expired") return { kind: "not_paid", why: "expired" };
  if (consultation.status !== "pending_payment") return { kind: "other", status: consultation.status };
  if (intent === null || ["failed", "expired"].includes(intent.status)) {
    return { kind: "choose_provider", dueAt };
  }
  if (intent.status === "succeeded") return { kind: "waiting_for_provider", dueAt };
  const action = intent.next_action;
  if (action?.type === "redirect" && action.url) {
    return { kind: "open_provider_page", url: action.url, dueAt };
  }
  if (action?.type === "confirm_on_phone") return { kind: "confirm_on_phone", dueAt };
  return { kind: "waiting_for_provider", dueAt };
}

/** The call is offered from a quarter of an hour before the start (the doctor opens the room
 * then at the earliest) until the consultation is over. */
export const JOIN_EARLY_MS = 15 * 60_000;

export function canJoinCall(consultation: { status: string; starts_at: string }, now: number): boolean {
  if (consultation.status === "in_progress") return true;
  return consultation.status === "confirmed"
    && new Date(consultation.starts_at).getTime() - now <= JOIN_EARLY_MS;
}

export interface RefundState {
  status: string;
  amount_xof: number;
  refund_status?: string | null;
  refund_reference?: string | null;
  refunded_at?: string | null;
}

export type Refund =
  | { kind: "sent"; amountXof: number; at: string | null; reference: string | null }
  | { kind: "waiting"; amountXof: number };

/** What became of the refund of a consultation's payments (the one paid, among tries that
 * failed or expired): sent (when, with the provider's reference), waiting, or none. */
export function refundOf(intents: readonly RefundState[]): Refund | null {
  const sent = intents.find((intent) => intent.refund_status === "refunded" || intent.status === "refunded");
  if (sent) {
    return { kind: "sent", amountXof: sent.amount_xof, at: sent.refunded_at ?? null, reference: sent.refund_reference ?? null };
  }
  const waiting = intents.find((intent) => intent.refund_status === "queued");
  return waiting ? { kind: "waiting", amountXof: waiting.amount_xof } : null;
}
