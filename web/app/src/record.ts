// The patient's record as the record screens show it: which screen a path is, how entries read,
// what a measurement or a share must be before it is sent (the records service's own rules, so
// that a mistake is said at once, in the person's language), and the access log in words.
// No I/O here: the screens (screens/record/) call the API and use these.
import type { Language } from "./i18n";
import { t, type TextKey } from "./texts/record";
import { shown, type Problem, type Shown } from "./problems";

// -- screens ----------------------------------------------------------------------------------

export const ENTRY_SECTIONS = ["allergies", "conditions", "medications", "vaccinations"] as const;
export type EntrySection = (typeof ENTRY_SECTIONS)[number];
export const SCREENS = [
  "encounters",
  ...ENTRY_SECTIONS,
  "vitals",
  "documents",
  "shares",
  "access-log",
] as const;
export type RecordScreenName = "summary" | (typeof SCREENS)[number];

/** "/record" -> "summary", "/record/allergies" -> "allergies"; null for an unknown screen. */
export function screenOf(path: string): RecordScreenName | null {
  const rest = path.replace(/\/+$/, "").replace(/^\/record/, "");
  if (rest === "") return "summary";
  const name = rest.slice(1);
  return (SCREENS as readonly string[]).includes(name) ? (name as RecordScreenName) : null;
}

/** Each screen's title. */
export const SCREEN_TITLE: Record<RecordScreenName, TextKey> = {
  summary: "my_record",
  encounters: "rec_encounters",
  allergies: "rec_allergies",
  conditions: "rec_conditions",
  medications: "rec_medications",
  vaccinations: "rec_vaccinations",
  vitals: "rec_vitals",
  documents: "rec_attachments",
  shares: "rec_shares",
  "access-log": "rec_access_log",
};

// -- entries ----------------------------------------------------------------------------------

export type Entry = { id: string; source: string; recorded_at: string; status?: string | null } & {
  [key: string]: unknown;
};

/** What an entry is called in a list and in a confirmation ("Pénicilline", "Amlodipine 5 mg"). */
export function entryName(section: EntrySection, entry: Entry): string {
  const field = { allergies: "substance", conditions: "label", medications: "medicine",
    vaccinations: "vaccine" }[section];
  return String(entry[field] ?? "");
}

/** The details under an entry's name, in the person's language. */
export function entryDetails(section: EntrySection, entry: Entry, language: Language): string[] {
  const text = (name: string) => (typeof entry[name] === "string" && entry[name] ? String(entry[name]) : null);
  const parts: (string | null)[] = [];
  if (section === "allergies") {
    parts.push(text("reaction"));
    const severity = text("severity");
    if (severity) parts.push(t(`rec_severity_${severity}` as TextKey, language));
  } else if (section === "conditions") {
    parts.push(text("code"));
    const onset = text("onset");
    if (onset) parts.push(`${t("rec_onset", language).replace(/ \(.*\)$/, "")} ${shortDate(onset, language)}`);
  } else if (section === "medications") {
    parts.push(text("dose"), text("route"), text("frequency"), text("duration"), text("instructions"));
  } else {
    const date = text("date");
    if (date) parts.push(shortDate(date, language));
    if (typeof entry.dose_number === "number") parts.push(t("rec_dose_n", language, { n: entry.dose_number }));
  }
  return parts.filter((part): part is string => Boolean(part));
}

/** The status an entry's button moves it to, for the sections whose status can change. */
export function nextStatus(section: EntrySection, status: string | null | undefined):
  { status: string; label: TextKey } | null {
  if (section === "conditions") {
    return status === "resolved"
      ? { status: "active", label: "rec_mark_active" }
      : { status: "resolved", label: "rec_mark_resolved" };
  }
  if (section === "medications") {
    return status === "stopped"
      ? { status: "active", label: "rec_mark_taken" }
      : { status: "stopped", label: "rec_mark_stopped" };
  }
  return null;
}

/** Only what the patient entered is corrected or removed from the app; what a doctor wrote in a
 * consultation stays (its status can still be changed: a course finished, a condition healed). */
export function ownEntry(entry: Entry): boolean {
  return entry.source === "patient";
}

/** The body that adds `values` (the form's texts) to a section: trimmed, optional fields left
 * out when empty, numbers as numbers; or the fields that are missing. */
export function entryBody(section: EntrySection, values: Record<string, string>):
  { body: Record<string, unknown> } | { fields: Record<string, TextKey> } {
  const required = { allergies: ["substance"], conditions: ["label"], medications: ["medicine"],
    vaccinations: ["vaccine", "date"] }[section];
  const fields: Record<string, TextKey> = {};
  const body: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(values)) {
    const value = raw.trim();
    if (!value) continue;
    if (name === "dose_number") {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 20) fields[name] = "rec_invalid";
      else body[name] = n;
    } else if (name === "code") {
      const code = value.toUpperCase();
      if (!/^[A-Z]\d{2}(\.\d{1,2})?$/.test(code)) fields[name] = "rec_bad_code";
      else body[name] = code;
    } else {
      body[name] = value;
    }
  }
  for (const name of required) if (!(name in body)) fields[name] = "rec_required";
  return Object.keys(fields).length ? { fields } : { body };
}

/** The form's texts of an existing entry, to correct it. */
export function entryValues(fields: readonly string[], entry: Entry): Record<string, string> {
  return Object.fromEntries(fields.map((name) => [name, entry[name] == null ? "" : String(entry[name])]));
}

// -- vital signs ------------------------------------------------------------------------------

export const VITAL_KINDS = ["blood_pressure", "weight", "temperature", "heart_rate",
  "blood_glucose", "spo2", "height"] as const;
export type VitalKind = (typeof VITAL_KINDS)[number];

/** A unit a person may type a value in: `unit` is what is sent, after multiplying by `factor`. */
export interface VitalUnit {
  label: string;
  unit: string;
  factor: number;
}

/** The records service's plausible range of each kind, in its canonical unit, and the units
 * offered (g/L is how laboratories in Mali write blood glucose: sent as mg/dL). */
export const VITALS: Record<VitalKind, { low: number; high: number; units: VitalUnit[]; example: string }> = {
  blood_pressure: { low: 50, high: 260, units: [{ label: "mmHg", unit: "mm[Hg]", factor: 1 }], example: "120" },
  weight: { low: 0.3, high: 400, units: [{ label: "kg", unit: "kg", factor: 1 }], example: "68,5" },
  temperature: { low: 30, high: 45, units: [{ label: "°C", unit: "Cel", factor: 1 }], example: "37,2" },
  heart_rate: { low: 20, high: 250, units: [{ label: "/min", unit: "/min", factor: 1 }], example: "72" },
  blood_glucose: {
    low: 1,
    high: 40,
    units: [
      { label: "g/L", unit: "mg/dL", factor: 100 },
      { label: "mmol/L", unit: "mmol/L", factor: 1 },
    ],
    example: "1,05",
  },
  spo2: { low: 50, high: 100, units: [{ label: "%", unit: "%", factor: 1 }], example: "97" },
  height: { low: 20, high: 260, units: [{ label: "cm", unit: "cm", factor: 1 }], example: "165" },
};
const DIASTOLIC = { low: 30, high: 160 };
const MG_DL_PER_MMOL_L = 18.016;

/** "37,5" or "37.5" -> 37.5; null for anything that is not one plain number. */
export function parseNumber(text: string): number | null {
  const cleaned = text.trim().replace(/\s/g, "").replace(",", ".");
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return null;
  return Number(cleaned);
}

export type VitalForm = { kind: VitalKind; unit: string; value: string; systolic: string;
  diastolic: string; measuredAt: string };

type FieldProblems = Record<string, { key: TextKey; values?: Record<string, string | number> }>;

/** The observation to send, or a problem per field, by the records service's rules: values in
 * the plausible range of their kind, a blood pressure's top number above its bottom one, no
 * measurement in the future. */
export function vitalBody(form: VitalForm, now: Date):
  { body: Record<string, unknown> } | { fields: FieldProblems } {
  const fields: FieldProblems = {};
  const spec = VITALS[form.kind];
  const read = (name: "value" | "systolic" | "diastolic", low: number, high: number, label: string,
    factor = 1, example = spec.example) => {
    const text = form[name];
    if (!text.trim()) {
      fields[name] = { key: "rec_required" };
      return null;
    }
    const number = parseNumber(text);
    if (number === null) {
      fields[name] = { key: "rec_not_number", values: { example } };
      return null;
    }
    const canonical = number * factor;
    if (canonical < low || canonical > high) {
      fields[name] = { key: "rec_out_of_range",
        values: { low: round(low / factor), high: round(high / factor), unit: label } };
      return null;
    }
    return number;
  };
  const body: Record<string, unknown> = { kind: form.kind };
  if (form.kind === "blood_pressure") {
    const systolic = read("systolic", spec.low, spec.high, "mmHg", 1, "120");
    const diastolic = read("diastolic", DIASTOLIC.low, DIASTOLIC.high, "mmHg", 1, "80");
    if (systolic !== null && diastolic !== null && systolic <= diastolic) {
      fields.systolic = { key: "rec_bp_order" };
    }
    Object.assign(body, { unit: "mm[Hg]", systolic, diastolic });
  } else {
    const unit = spec.units.find((u) => u.unit === form.unit) ?? spec.units[0];
    // The range is in the canonical unit: mmol/L for glucose (18.016 mg/dL each).
    const perCanonical = unit.unit === "mg/dL" ? unit.factor / MG_DL_PER_MMOL_L : unit.factor;
    const value = read("value", spec.low, spec.high, unit.label, perCanonical);
    Object.assign(body, { unit: unit.unit, value: value === null ? null : round(value * unit.factor) });
  }
  if (form.measuredAt.trim()) {
    const at = bamakoLocalToUtc(form.measuredAt);
    if (!at) fields.measured_at = { key: "rec_invalid" };
    else if (Date.parse(at) > now.getTime() + 5 * 60_000) fields.measured_at = { key: "rec_in_future" };
    else body.measured_at = at;
  }
  return Object.keys(fields).length ? { fields } : { body };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export type Observation = { kind: string; unit: string; value?: number | null;
  systolic?: number | null; diastolic?: number | null; measured_at: string };

/** "128/82 mmHg", "37,5 °C", "1,05 g/L": a measurement as people read it. */
export function vitalReading(observation: Observation, language: Language): string {
  const number = (n: number | null | undefined, digits = 1) =>
    n == null ? "?" : new Intl.NumberFormat(language === "en" ? "en-GB" : "fr-FR",
      { maximumFractionDigits: digits }).format(n);
  if (observation.kind === "blood_pressure") {
    return `${number(observation.systolic, 0)}/${number(observation.diastolic, 0)} mmHg`;
  }
  const labels: Record<string, string> = { "/min": "/min", Cel: "°C", "mm[Hg]": "mmHg" };
  if (observation.kind === "blood_glucose" && observation.unit === "mmol/L" && observation.value != null) {
    // Stored in mmol/L; read in Mali in g/L.
    return `${number(observation.value * MG_DL_PER_MMOL_L / 100, 2)} g/L`;
  }
  return `${number(observation.value)} ${labels[observation.unit] ?? observation.unit}`;
}

/** A `datetime-local` value read as Bamako time (UTC+0 all year, no daylight saving) -> UTC. */
export function bamakoLocalToUtc(local: string): string | null {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(local.trim());
  if (!match) return null;
  const iso = `${match[1]}T${match[2]}${match[3] ?? ":00"}Z`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

// -- documents --------------------------------------------------------------------------------

export const CONTENT_TYPES = ["application/pdf", "image/jpeg", "image/png"];
export const MAX_BYTES = 10 * 1024 * 1024;
export const CATEGORIES = ["lab_result", "prescription", "imaging_report", "other"] as const;

/** What is wrong with a file before anything is sent, or null. */
export function fileProblem(file: { type: string; size: number } | null): TextKey | null {
  if (!file) return "rec_no_file";
  if (!CONTENT_TYPES.includes(file.type)) return "rec_file_type";
  if (file.size === 0) return "rec_file_empty";
  if (file.size > MAX_BYTES) return "rec_file_size";
  return null;
}

/** A title from a file's name: "NFS_decembre.pdf" -> "NFS decembre". */
export function titleOf(fileName: string): string {
  return fileName.replace(/\.[^.]+$/, "").replace(/[_]+/g, " ").trim().slice(0, 200);
}

/** 245760 -> "240 Ko" / "240 KB". */
export function fileSize(bytes: number, language: Language): string {
  const [unit, size] = bytes >= 1024 * 1024 ? ["M", bytes / 1024 / 1024] : ["K", bytes / 1024];
  const number = new Intl.NumberFormat(language === "en" ? "en-GB" : "fr-FR",
    { maximumFractionDigits: unit === "M" ? 1 : 0 }).format(Math.max(size, unit === "K" ? 1 : 0));
  return `${number}\u00a0${unit}${language === "en" ? "B" : "o"}`;
}

// -- shares -----------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
export const SHARE_DEFAULT_DAYS = 30;
export const SHARE_MAX_DAYS = 365;

/** A day in Bamako (UTC+0) as yyyy-mm-dd, `days` after `now`. */
export function bamakoDay(now: Date, days = 0): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/** The share's last day, yyyy-mm-dd -> the end of that day in Bamako (UTC), or what is wrong. */
export function shareUntil(day: string, now: Date): { until: string } | { problem: TextKey } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
    return { problem: "rec_required" };
  }
  if (day <= bamakoDay(now)) return { problem: "rec_until_past" };
  if (day > bamakoDay(now, SHARE_MAX_DAYS)) return { problem: "rec_until_too_long" };
  return { until: `${day}T23:59:59Z` };
}

export type Share = { id: string; doctor_id: string; until: string; created_at: string;
  revoked_at?: string | null };

export type ShareState = "active" | "expired" | "revoked";

export function shareState(share: Share, now: Date): ShareState {
  if (share.revoked_at) return "revoked";
  return Date.parse(share.until) > now.getTime() ? "active" : "expired";
}

/** Active shares first (ending soonest first), then the others (latest first). */
export function sortedShares<T extends Share>(shares: T[], now: Date): T[] {
  const active = shares.filter((s) => shareState(s, now) === "active")
    .sort((a, b) => a.until.localeCompare(b.until));
  const past = shares.filter((s) => shareState(s, now) !== "active")
    .sort((a, b) => (b.revoked_at ?? b.until).localeCompare(a.revoked_at ?? a.until));
  return [...active, ...past];
}

// -- the access log ---------------------------------------------------------------------------

export type AuditEntry = { id: string; actor_id: string; role: string; action: string;
  resource: string; at: string; outcome: string; via?: string | null };

const RESOURCES = ["record", "encounters", "encounter", "observations", "fhir_export",
  "attachments", "attachment", "shares", ...ENTRY_SECTIONS];

/** One line of the access log: who (a name when the directory knows them), did what, how. */
export function accessLine(entry: AuditEntry, me: string | null, names: Record<string, string>,
  language: Language): { who: string; what: string; via: string | null } {
  const who = entry.actor_id === me
    ? t("rec_you", language)
    : names[entry.actor_id] ??
      t(entry.role === "doctor" ? "rec_a_doctor" : entry.role === "admin" ? "rec_an_admin" : "rec_someone", language);
  const resource = RESOURCES.includes(entry.resource)
    ? t(`rec_res_${entry.resource}` as TextKey, language)
    : t("rec_res_other", language, { name: entry.resource });
  const action: TextKey = entry.outcome === "denied" ? "rec_act_denied"
    : entry.action === "write" ? "rec_act_write" : "rec_act_read";
  const via = entry.outcome === "allowed" && (entry.via === "share" || entry.via === "consultation")
    ? t(`rec_via_${entry.via}` as TextKey, language) : null;
  return { who, what: t(action, language, { what: resource }), via };
}

/** Others' accesses only, unless the person asks to see their own too. */
export function visibleAccesses<T extends AuditEntry>(entries: T[], me: string | null, withMine: boolean): T[] {
  return withMine ? entries : entries.filter((entry) => entry.actor_id !== me);
}

// -- refusals ---------------------------------------------------------------------------------

// The records service's codes, said in the person's language next to the field.
const CODES: Record<string, TextKey> = {
  missing: "rec_required",
  string_too_short: "rec_required",
  out_of_range: "rec_invalid",
  inconsistent: "rec_bp_order",
  in_future: "rec_in_future",
  in_past: "rec_until_past",
  too_long: "rec_until_too_long",
  string_pattern_mismatch: "rec_bad_code",
  not_uploaded: "rec_upload_failed",
  wrong_size: "rec_file_size",
  empty: "rec_file_empty",
  wrong_content: "rec_file_wrong",
};

/** A refused request as a sentence and a sentence per field, the known codes in the person's
 * language; no answer at all (`null`: the network) says nothing was saved. */
export function recordProblem(problem: Problem | null, language: Language): Shown {
  if (problem === null) return { message: t("rec_network", language), fields: {} };
  const result = shown(problem, t("error", language));
  for (const error of problem.errors ?? []) {
    const key = error.code ? CODES[error.code] : undefined;
    if (key) result.fields[error.field.split(".")[0]] = t(key, language);
  }
  return result;
}

/** A date (yyyy-mm-dd or an instant) as a day in Bamako: "7 déc. 2026". */
export function shortDate(iso: string, language: Language): string {
  const date = new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);
  return new Intl.DateTimeFormat(language === "en" ? "en-GB" : "fr-FR",
    { timeZone: "Africa/Bamako", day: "numeric", month: "short", year: "numeric" }).format(date);
}

/** The FHIR export's file name: "keneya-dossier-2026-12-07.json". */
export function exportFileName(now: Date, language: Language): string {
  return `keneya-${language === "en" ? "record" : "dossier"}-${bamakoDay(now)}.json`;
}

/** "Poids : 70 kg" (French puts a space before the colon), "Weight: 70 kg". */
export function labelled(label: string, value: string, language: Language): string {
  return `${label}${language === "en" ? ":" : "\u00a0:"} ${value}`;
}
