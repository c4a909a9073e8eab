// The clinical summary a doctor completes a consultation with: checked before it is sent, and
// kept on the phone until it is, so that a dropped connection loses nothing.
import { ICD10_CODE, type Diagnosis } from "./icd10";

export interface PrescriptionLine {
  medicine: string;
  dose: string;
  route: string;
  frequency: string;
  duration: string;
}

export interface SummaryForm {
  diagnoses: Diagnosis[];
  prescriptions: PrescriptionLine[];
  notes: string;
  follow_up: string;
}

export const EMPTY_FORM: SummaryForm = { diagnoses: [], prescriptions: [], notes: "", follow_up: "" };

export const EMPTY_LINE: PrescriptionLine = { medicine: "", dose: "", route: "orale", frequency: "", duration: "" };

export type Problem = "diagnosis_needed" | "diagnosis_code" | "prescription_incomplete";

/** What keeps the summary from being sent, by field ("diagnoses", "prescriptions.1"). */
export function problems(form: SummaryForm): Record<string, Problem> {
  const found: Record<string, Problem> = {};
  if (form.diagnoses.length === 0) found.diagnoses = "diagnosis_needed";
  form.diagnoses.forEach((d, i) => {
    if (!ICD10_CODE.test(d.code) || !d.label.trim()) found[`diagnoses.${i}`] = "diagnosis_code";
  });
  form.prescriptions.forEach((line, i) => {
    const filled = Object.values(line).filter((value) => value.trim()).length;
    const blank = line.medicine.trim() === "" && filled <= 1;
    if (!blank && Object.values(line).some((value) => !value.trim())) {
      found[`prescriptions.${i}`] = "prescription_incomplete";
    }
  });
  return found;
}

/** The body of POST /consultations/{id}/complete: blank lines and fields left out. */
export function summaryBody(form: SummaryForm) {
  const text = (value: string) => (value.trim() ? value.trim() : undefined);
  return {
    diagnoses: form.diagnoses.map((d) => ({ code: d.code.trim(), label: d.label.trim() })),
    prescriptions: form.prescriptions
      .filter((line) => line.medicine.trim())
      .map((line) => ({
        medicine: line.medicine.trim(),
        dose: line.dose.trim(),
        route: line.route.trim(),
        frequency: line.frequency.trim(),
        duration: line.duration.trim(),
      })),
    notes: text(form.notes),
    follow_up: text(form.follow_up),
  };
}

const DRAFT = (consultationId: string) => `keneya.summary.${consultationId}`;

/** The summary being written for this consultation, as last kept. */
export function loadDraft(storage: Pick<Storage, "getItem"> | null, consultationId: string): SummaryForm {
  try {
    const kept = storage?.getItem(DRAFT(consultationId));
    return kept ? { ...EMPTY_FORM, ...(JSON.parse(kept) as Partial<SummaryForm>) } : EMPTY_FORM;
  } catch {
    return EMPTY_FORM;
  }
}

export function keepDraft(storage: Pick<Storage, "setItem"> | null, consultationId: string, form: SummaryForm): void {
  try {
    storage?.setItem(DRAFT(consultationId), JSON.stringify(form));
  } catch {
    // Full or refused: the form stays on screen.
  }
}

export function dropDraft(storage: Pick<Storage, "removeItem"> | null, consultationId: string): void {
  try {
    storage?.removeItem(DRAFT(consultationId));
  } catch {
    // Nothing kept.
  }
}
