import { describe, expect, it } from "vitest";
import { agenda, bamakoDay, canMarkNoShow, canStart, waiting, type AgendaItem } from "./agenda";
import { EMPTY_FORM, EMPTY_LINE, keepDraft, loadDraft, problems, summaryBody } from "./clinical";
import { searchDiagnoses } from "./icd10";

const item = (id: string, starts: string, status = "confirmed", joined: string | null = null): AgendaItem => ({
  id, status, starts_at: starts, ends_at: new Date(new Date(starts).getTime() + 30 * 60_000).toISOString(),
  patient_id: "p", reason: "", session: { patient_joined_at: joined },
});
const at = (iso: string) => new Date(iso).getTime();

describe("the doctor's agenda", () => {
  it("puts today's consultations first and the next days' after, soonest first, in Bamako days", () => {
    const now = at("2026-12-05T22:00:00Z");
    const { today, later } = agenda([
      item("tomorrow", "2026-12-06T08:00:00Z"),
      item("late-today", "2026-12-05T23:00:00Z"),
      item("over", "2026-12-05T08:00:00Z"),
      item("cancelled", "2026-12-05T23:30:00Z", "cancelled"),
      item("ongoing", "2026-12-05T21:00:00Z", "in_progress"),
    ], now);
    expect(today.map((i) => i.id)).toEqual(["ongoing", "late-today"]);
    expect(later.map((i) => i.id)).toEqual(["tomorrow"]);
    expect(bamakoDay("2026-12-05T23:59:00Z")).toBe("2026-12-05");
  });

  it("says when the patient waits in the call, and what the doctor may do now", () => {
    const starts = "2026-12-05T10:00:00Z";
    expect(waiting(item("a", starts, "in_progress", "2026-12-05T10:01:00Z"))).toBe(true);
    expect(waiting(item("a", starts, "in_progress"))).toBe(false);
    expect(canStart(item("a", starts), at("2026-12-05T09:49:00Z"))).toBe(false);
    expect(canStart(item("a", starts), at("2026-12-05T09:50:00Z"))).toBe(true);
    expect(canMarkNoShow(item("a", starts, "in_progress"), at("2026-12-05T09:59:00Z"))).toBe(false);
    expect(canMarkNoShow(item("a", starts, "in_progress"), at("2026-12-05T10:00:00Z"))).toBe(true);
    expect(canMarkNoShow(item("a", starts, "in_progress", "2026-12-05T10:01:00Z"), at("2026-12-05T10:20:00Z"))).toBe(false);
  });
});

describe("finding a diagnosis", () => {
  it("by the start of its code or by words, accents and case ignored", () => {
    expect(searchDiagnoses("B54").map((d) => d.code)).toEqual(["B54"]);
    expect(searchDiagnoses("b5").map((d) => d.code)).toEqual(["B50.9", "B54"]);
    expect(searchDiagnoses("palu").map((d) => d.code)).toEqual(["B50.9", "B54"]);
    expect(searchDiagnoses("infection urin").map((d) => d.code)).toEqual(["N39.0"]);
    expect(searchDiagnoses("cephalee").map((d) => d.code)).toEqual(["R51"]);
    expect(searchDiagnoses("x")).toEqual([]);
  });
});

describe("the completion summary", () => {
  it("needs a diagnosis with a well-formed ICD-10 code", () => {
    expect(problems(EMPTY_FORM)).toEqual({ diagnoses: "diagnosis_needed" });
    expect(problems({ ...EMPTY_FORM, diagnoses: [{ code: "palu", label: "Paludisme" }] }))
      .toEqual({ "diagnoses.0": "diagnosis_code" });
    expect(problems({ ...EMPTY_FORM, diagnoses: [{ code: "B54", label: "Paludisme" }] })).toEqual({});
  });

  it("refuses a prescription line half filled, and leaves out a blank one", () => {
    const form = {
      ...EMPTY_FORM,
      diagnoses: [{ code: "B54", label: "Paludisme" }],
      prescriptions: [{ ...EMPTY_LINE, medicine: "Paracétamol 500 mg" }, { ...EMPTY_LINE }],
    };
    expect(problems(form)).toEqual({ "prescriptions.0": "prescription_incomplete" });
    const complete = { ...form, prescriptions: [
      { medicine: "Paracétamol 500 mg", dose: "1 comprimé", route: "orale", frequency: "3 fois par jour", duration: "3 jours" },
      { ...EMPTY_LINE },
    ], notes: "  ", follow_up: " Revoir dans 7 jours " };
    expect(problems(complete)).toEqual({});
    expect(summaryBody(complete)).toEqual({
      diagnoses: [{ code: "B54", label: "Paludisme" }],
      prescriptions: [complete.prescriptions[0]],
      notes: undefined,
      follow_up: "Revoir dans 7 jours",
    });
  });

  it("is kept on the phone until sent, per consultation", () => {
    const values = new Map<string, string>();
    const storage = { getItem: (k: string) => values.get(k) ?? null, setItem: (k: string, v: string) => void values.set(k, v) };
    const form = { ...EMPTY_FORM, notes: "TDR positif" };
    keepDraft(storage, "c-1", form);
    expect(loadDraft(storage, "c-1")).toEqual(form);
    expect(loadDraft(storage, "c-2")).toEqual(EMPTY_FORM);
    values.set("keneya.summary.c-3", "{not json");
    expect(loadDraft(storage, "c-3")).toEqual(EMPTY_FORM);
  });
});
