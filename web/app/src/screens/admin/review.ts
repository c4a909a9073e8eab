// The administrators' rules the screens follow, kept apart from them so they are tested alone:
// which screen a path is, the review statuses, a suspension's reason, a decision in words.
import { match } from "../../router";

export type AdminScreen =
  | { screen: "queue" }
  | { screen: "doctor"; id: string }
  | { screen: "refunds" };

/** The screen of a path under /admin (the review queue for anything else). */
export function adminScreenOf(path: string): AdminScreen {
  const doctor = match("/admin/doctors/:id", path);
  if (doctor && doctor.id) return { screen: "doctor", id: doctor.id };
  if (match("/admin/refunds", path)) return { screen: "refunds" };
  return { screen: "queue" };
}

export const STATUSES = ["pending", "verified", "suspended"] as const;
export type ReviewStatus = (typeof STATUSES)[number];

export function isStatus(value: string | null | undefined): value is ReviewStatus {
  return (STATUSES as readonly string[]).includes(value ?? "");
}

/** What an administrator may do to a doctor of this status (the users service's table). */
export function actionsFor(status: ReviewStatus): ("verify" | "suspend")[] {
  if (status === "pending") return ["verify", "suspend"];
  if (status === "verified") return ["suspend"];
  return ["verify"];
}

export const REASON_MIN = 3;
export const REASON_MAX = 500;

/** Why a suspension's reason cannot be sent yet (null: it can), as the API counts it (trimmed). */
export function reasonProblem(reason: string): "reason_required" | "reason_short" | "reason_long" | null {
  const length = [...reason.trim()].length;
  if (length === 0) return "reason_required";
  if (length < REASON_MIN) return "reason_short";
  if (length > REASON_MAX) return "reason_long";
  return null;
}

export interface Decision {
  action: "verify" | "suspend";
  status_before: ReviewStatus;
  status_after: ReviewStatus;
  decided_at: string;
}

/** The text of a decision: a verification, a reinstatement, a suspension or a refusal. */
export function decisionKey(decision: Decision): "decision_verified" | "decision_reinstated" | "decision_suspended" | "decision_refused" {
  if (decision.action === "verify") {
    return decision.status_before === "suspended" ? "decision_reinstated" : "decision_verified";
  }
  return decision.status_before === "pending" ? "decision_refused" : "decision_suspended";
}

/** Newest first, whatever order they came in. */
export function newestFirst<T extends { decided_at: string }>(decisions: readonly T[]): T[] {
  return [...decisions].sort((a, b) => Date.parse(b.decided_at) - Date.parse(a.decided_at));
}

/** The list without the refund just paid (it leaves the queue). */
export function withoutRefund<T extends { payment_id: string }>(refunds: readonly T[], paymentId: string): T[] {
  return refunds.filter((refund) => refund.payment_id !== paymentId);
}

/** A provider's reference as it is sent (trimmed; 1 to 100 characters). */
export function referenceOf(text: string): string | null {
  const reference = text.trim();
  return reference.length >= 1 && reference.length <= 100 ? reference : null;
}
