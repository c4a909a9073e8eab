import { describe, expect, it } from "vitest";
import { RECORD_TEXTS as TEXTS } from "./texts/record";
import {
  CATEGORIES,
  ENTRY_SECTIONS,
  VITAL_KINDS,
  accessLine,
  bamakoDay,
  bamakoLocalToUtc,
  entryBody,
  entryDetails,
  entryName,
  exportFileName,
  fileProblem,
  fileSize,
  labelled,
  nextStatus,
  parseNumber,
  recordProblem,
  screenOf,
  shareState,
  shareUntil,
  sortedShares,
  titleOf,
  visibleAccesses,
  vitalBody,
  vitalReading,
  type VitalForm,
} from "./record";

const NOW = new Date("2026-12-07T09:30:00Z");

describe("the record's screens", () => {
  it("are found from the path, an unknown one is none", () => {
    expect(screenOf("/record")).toBe("summary");
    expect(screenOf("/record/")).toBe("summary");
    expect(screenOf("/record/allergies")).toBe("allergies");
    expect(screenOf("/record/access-log")).toBe("access-log");
    expect(screenOf("/record/../admin")).toBeNull();
    expect(screenOf("/record/allergies/123")).toBeNull();
  });
});

describe("entries", () => {
  const allergy = { id: "a1", source: "patient", recorded_at: "2026-12-01T10:00:00Z",
    substance: "Pénicilline", reaction: "Urticaire", severity: "severe" };

  it("read as their name and details in the person's language", () => {
    expect(entryName("allergies", allergy)).toBe("Pénicilline");
    expect(entryDetails("allergies", allergy, "fr")).toEqual(["Urticaire", "Sévère"]);
    expect(entryDetails("allergies", allergy, "en")).toEqual(["Urticaire", "Severe"]);
    const vaccine = { id: "v", source: "patient", recorded_at: NOW.toISOString(), vaccine: "Fièvre jaune",
      date: "2020-01-15", dose_number: 2 };
    expect(entryDetails("vaccinations", vaccine, "en")).toEqual(["15 Jan 2020", "dose 2"]);
  });

  it("are sent trimmed, optional fields left out, and refused when a required one is empty", () => {
    expect(entryBody("allergies", { substance: "  Arachide ", reaction: "", severity: "" }))
      .toEqual({ body: { substance: "Arachide" } });
    expect(entryBody("allergies", { substance: " ", reaction: "Toux", severity: "mild" }))
      .toEqual({ fields: { substance: "rec_required" } });
    expect(entryBody("vaccinations", { vaccine: "BCG", date: "2020-01-15", dose_number: "2" }))
      .toEqual({ body: { vaccine: "BCG", date: "2020-01-15", dose_number: 2 } });
    expect(entryBody("vaccinations", { vaccine: "BCG", date: "", dose_number: "0" }))
      .toEqual({ fields: { dose_number: "rec_invalid", date: "rec_required" } });
    expect(entryBody("conditions", { label: "Diabète", code: "e11.9", onset: "" }))
      .toEqual({ body: { label: "Diabète", code: "E11.9" } });
    expect(entryBody("conditions", { label: "Diabète", code: "diabète", onset: "" }))
      .toEqual({ fields: { code: "rec_bad_code" } });
  });

  it("change status where the API allows it: conditions healed, medications stopped", () => {
    expect(nextStatus("conditions", "active")).toEqual({ status: "resolved", label: "rec_mark_resolved" });
    expect(nextStatus("conditions", "resolved")).toEqual({ status: "active", label: "rec_mark_active" });
    expect(nextStatus("medications", "active")).toEqual({ status: "stopped", label: "rec_mark_stopped" });
    expect(nextStatus("allergies", null)).toBeNull();
  });
});

describe("a measurement", () => {
  const form = (change: Partial<VitalForm>): VitalForm => ({ kind: "blood_pressure", unit: "mm[Hg]",
    value: "", systolic: "", diastolic: "", measuredAt: "", ...change });

  it("reads numbers written with a decimal comma", () => {
    expect(parseNumber("37,5")).toBe(37.5);
    expect(parseNumber(" 120 ")).toBe(120);
    expect(parseNumber("12a")).toBeNull();
    expect(parseNumber("-3")).toBeNull();
  });

  it("of blood pressure needs both numbers in range, the top one above the bottom one", () => {
    expect(vitalBody(form({ systolic: "128", diastolic: "82" }), NOW))
      .toEqual({ body: { kind: "blood_pressure", unit: "mm[Hg]", systolic: 128, diastolic: 82 } });
    const swapped = vitalBody(form({ systolic: "80", diastolic: "120" }), NOW);
    expect(swapped).toEqual({ fields: { systolic: { key: "rec_bp_order" } } });
    const wild = vitalBody(form({ systolic: "1280", diastolic: "" }), NOW);
    expect(wild).toEqual({ fields: {
      systolic: { key: "rec_out_of_range", values: { low: 50, high: 260, unit: "mmHg" } },
      diastolic: { key: "rec_required" },
    } });
  });

  it("of another kind is checked in the unit typed, glucose in g/L sent as mg/dL", () => {
    expect(vitalBody(form({ kind: "temperature", unit: "Cel", value: "37,8" }), NOW))
      .toEqual({ body: { kind: "temperature", unit: "Cel", value: 37.8 } });
    expect(vitalBody(form({ kind: "temperature", unit: "Cel", value: "98" }), NOW))
      .toEqual({ fields: { value: { key: "rec_out_of_range", values: { low: 30, high: 45, unit: "°C" } } } });
    expect(vitalBody(form({ kind: "blood_glucose", unit: "mg/dL", value: "1,05" }), NOW))
      .toEqual({ body: { kind: "blood_glucose", unit: "mg/dL", value: 105 } });
    expect(vitalBody(form({ kind: "blood_glucose", unit: "mg/dL", value: "105" }), NOW))
      .toMatchObject({ fields: { value: { key: "rec_out_of_range" } } });
  });

  it("is taken in Bamako time, never in the future", () => {
    expect(bamakoLocalToUtc("2026-12-07T08:15")).toBe("2026-12-07T08:15:00Z");
    expect(bamakoLocalToUtc("hier")).toBeNull();
    expect(vitalBody(form({ kind: "weight", unit: "kg", value: "70", measuredAt: "2026-12-07T08:15" }), NOW))
      .toEqual({ body: { kind: "weight", unit: "kg", value: 70, measured_at: "2026-12-07T08:15:00Z" } });
    expect(vitalBody(form({ kind: "weight", unit: "kg", value: "70", measuredAt: "2026-12-08T08:15" }), NOW))
      .toEqual({ fields: { measured_at: { key: "rec_in_future" } } });
  });

  it("reads as people write it", () => {
    const at = "2026-12-07T08:15:00Z";
    expect(vitalReading({ kind: "blood_pressure", unit: "mm[Hg]", systolic: 128, diastolic: 82, measured_at: at }, "fr"))
      .toBe("128/82 mmHg");
    expect(vitalReading({ kind: "temperature", unit: "Cel", value: 37.5, measured_at: at }, "fr")).toBe("37,5 °C");
    expect(vitalReading({ kind: "blood_glucose", unit: "mmol/L", value: 5.83, measured_at: at }, "fr")).toBe("1,05 g/L");
    expect(labelled("Poids", "70 kg", "fr")).toBe("Poids\u00a0: 70 kg");
    expect(labelled("Weight", "70 kg", "en")).toBe("Weight: 70 kg");
  });
});

describe("a document", () => {
  it("must be a PDF, JPEG or PNG of 10 MB at most", () => {
    expect(fileProblem(null)).toBe("rec_no_file");
    expect(fileProblem({ type: "image/png", size: 2000 })).toBeNull();
    expect(fileProblem({ type: "image/heic", size: 2000 })).toBe("rec_file_type");
    expect(fileProblem({ type: "application/pdf", size: 0 })).toBe("rec_file_empty");
    expect(fileProblem({ type: "application/pdf", size: 10 * 1024 * 1024 + 1 })).toBe("rec_file_size");
  });

  it("is titled after its file and its size is read in ko / KB", () => {
    expect(titleOf("NFS_du_2_decembre.pdf")).toBe("NFS du 2 decembre");
    expect(fileSize(245760, "fr")).toBe("240\u00a0Ko");
    expect(fileSize(3.5 * 1024 * 1024, "en")).toBe("3.5\u00a0MB");
  });
});

describe("a share", () => {
  it("lasts until the end of the chosen day in Bamako, thirty days by default", () => {
    expect(bamakoDay(NOW, 30)).toBe("2027-01-06");
    expect(shareUntil("2027-01-06", NOW)).toEqual({ until: "2027-01-06T23:59:59Z" });
  });

  it("ends after today and within a year", () => {
    expect(shareUntil("2026-12-07", NOW)).toEqual({ problem: "rec_until_past" });
    expect(shareUntil("2027-12-08", NOW)).toEqual({ problem: "rec_until_too_long" });
    expect(shareUntil("", NOW)).toEqual({ problem: "rec_required" });
  });

  it("is active, expired or revoked; active ones come first", () => {
    const active = { id: "a", doctor_id: "d", until: "2027-01-06T23:59:59Z", created_at: "2026-12-01T00:00:00Z" };
    const expired = { ...active, id: "e", until: "2026-12-01T23:59:59Z" };
    const revoked = { ...active, id: "r", revoked_at: "2026-12-05T10:00:00Z" };
    expect([active, expired, revoked].map((s) => shareState(s, NOW))).toEqual(["active", "expired", "revoked"]);
    expect(sortedShares([expired, revoked, active], NOW).map((s) => s.id)).toEqual(["a", "r", "e"]);
  });
});

describe("the access log", () => {
  const entry = { id: "1", actor_id: "doc1", role: "doctor", action: "read", resource: "record",
    at: "2026-12-07T09:00:00Z", outcome: "allowed", via: "share" };

  it("says who (by name when known), what and through what", () => {
    expect(accessLine(entry, "me", { doc1: "Dr Ramata Sissoko" }, "fr")).toEqual({
      who: "Dr Ramata Sissoko", what: "Lecture : le dossier", via: "grâce à un partage" });
    expect(accessLine(entry, "me", {}, "en")).toEqual({
      who: "A doctor", what: "Read: the record", via: "through a share" });
    expect(accessLine({ ...entry, actor_id: "me", role: "patient", action: "write", resource: "allergies",
      via: "owner" }, "me", {}, "fr")).toEqual({ who: "Vous", what: "Modification : les allergies", via: null });
    expect(accessLine({ ...entry, outcome: "denied", via: null, resource: "fhir_export" }, "me", {}, "en").what)
      .toBe("Access refused: the record's export");
  });

  it("shows others' accesses unless one's own are asked for", () => {
    const mine = { ...entry, id: "2", actor_id: "me" };
    expect(visibleAccesses([entry, mine], "me", false)).toEqual([entry]);
    expect(visibleAccesses([entry, mine], "me", true)).toEqual([entry, mine]);
  });
});

describe("a refusal", () => {
  it("says the service's codes in the person's language next to their field", () => {
    const problem = { status: 422, detail: "Une valeur n'est pas acceptable : must be in the future.",
      errors: [{ field: "until", message: "must be in the future", code: "in_past" }] };
    expect(recordProblem(problem, "fr").fields).toEqual({ until: "Choisissez une date après aujourd'hui." });
    expect(recordProblem({ errors: [{ field: "substance", message: "Field required", code: "missing" }] }, "en").fields)
      .toEqual({ substance: "Required." });
  });

  it("with no answer at all says nothing was saved", () => {
    expect(recordProblem(null, "fr").message).toMatch(/Rien n'a été enregistré/);
  });
});

describe("the export", () => {
  it("is a dated JSON file", () => {
    expect(exportFileName(NOW, "fr")).toBe("keneya-dossier-2026-12-07.json");
  });
});

describe("the record's texts", () => {
  it("are all written in French and English", () => {
    const record = Object.entries(TEXTS).filter(([key]) => key.startsWith("rec_"));
    expect(record.length).toBeGreaterThan(100);
    for (const [key, text] of record) {
      expect(text.fr, key).toBeTruthy();
      expect((text as { en?: string }).en, key).toBeTruthy();
    }
  });

  it("exist for every kind, category, status and resource named from the API's values", () => {
    const keys = [
      ...VITAL_KINDS.map((kind) => `rec_kind_${kind}`),
      ...CATEGORIES.map((category) => `rec_cat_${category}`),
      ...["active", "resolved", "stopped"].map((status) => `rec_status_${status}`),
      ...["mild", "moderate", "severe"].map((severity) => `rec_severity_${severity}`),
      ...["record", "encounters", "encounter", "observations", "fhir_export", "attachments",
        "attachment", "shares", ...ENTRY_SECTIONS].map((resource) => `rec_res_${resource}`),
      "rec_via_share", "rec_via_consultation",
      ...ENTRY_SECTIONS.map((section) => `rec_add_${section}`),
    ];
    for (const key of keys) expect(TEXTS, key).toHaveProperty(key);
  });
});
