// A doctor's agenda as they read it between patients: today, then the days ahead, in Bamako
// time; what each consultation lets them do now.

export interface AgendaItem {
  id: string;
  status: string;
  starts_at: string;
  ends_at: string;
  patient_id: string;
  reason: string;
  session?: { patient_joined_at?: string | null } | null;
}

/** The doctor may start from ten minutes before the time (the consultations service's rule). */
export const START_EARLY_MS = 10 * 60_000;

const SHOWN = ["confirmed", "in_progress"];

/** The Bamako calendar day (YYYY-MM-DD) of an instant. */
export function bamakoDay(iso: string | number): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Africa/Bamako" }).format(new Date(iso));
}

/** Confirmed and ongoing consultations: today's, then the next days', soonest first. */
export function agenda(items: AgendaItem[], now: number): { today: AgendaItem[]; later: AgendaItem[] } {
  const today = bamakoDay(now);
  const open = items
    .filter((item) => SHOWN.includes(item.status))
    .filter((item) => item.status === "in_progress" || new Date(item.ends_at).getTime() > now)
    .sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  return {
    today: open.filter((item) => bamakoDay(item.starts_at) <= today),
    later: open.filter((item) => bamakoDay(item.starts_at) > today),
  };
}

/** The patient came into the call and the doctor has not joined them yet. */
export function waiting(item: AgendaItem): boolean {
  return item.status === "in_progress" && Boolean(item.session?.patient_joined_at);
}

export function canStart(item: AgendaItem, now: number): boolean {
  return item.status === "confirmed" && new Date(item.starts_at).getTime() - now <= START_EARLY_MS;
}

export function canMarkNoShow(item: AgendaItem, now: number): boolean {
  return (
    (item.status === "in_progress" || item.status === "confirmed")
    && !item.session?.patient_joined_at
    // From the start time (the consultations service's rule), if the patient never came.
    && now >= new Date(item.starts_at).getTime()
  );
}
