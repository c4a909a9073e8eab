// One consultation as its doctor handles it: who and why, start it, join the call (video or
// audio only), mark the patient absent, open their record while it is allowed, and complete it
// with the clinical summary — kept on the phone until it is sent.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import { canMarkNoShow, canStart, waiting, type AgendaItem } from "../../agenda";
import {
  dropDraft, EMPTY_LINE, keepDraft, loadDraft, problems, summaryBody, type PrescriptionLine,
  type SummaryForm,
} from "../../clinical";
import { bamakoDateTime, money } from "../../format";
import { searchDiagnoses, type Diagnosis } from "../../icd10";
import { shown } from "../../problems";
import { session } from "../../session";
import { t, type TextKey } from "../../texts/doctor";
import { Alert, Field } from "../../ui";
import { Link } from "../../ui";
import { patientName } from "./names";

type Consultation = AgendaItem & {
  fee_xof: number;
  mode: string;
  summary?: { diagnoses?: Diagnosis[]; prescriptions?: PrescriptionLine[]; notes?: string | null;
    follow_up?: string | null } | null;
  cancellation?: { by?: string; reason?: string | null } | null;
};

const POLL_MS = 5000;

export function DoctorConsultation(props: { id: string }) {
  const lang = session.language;
  const [consultation, setConsultation] = useState<Consultation | null>(null);
  const [name, setName] = useState<string | null>(null);
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(Date.now());
  const [confirmNoShow, setConfirmNoShow] = useState(false);

  async function load() {
    const { data } = await api.GET("/api/v1/consultations/{consultation_id}", {
      params: { path: { consultation_id: props.id } },
    }).catch(() => ({ data: undefined }));
    setNow(Date.now());
    if (data) setConsultation(data as Consultation);
  }

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [props.id]);

  useEffect(() => {
    if (consultation) void patientName(consultation.patient_id).then(setName);
  }, [consultation?.patient_id]);

  async function act(action: "start" | "no-show") {
    setBusy(true);
    setProblem("");
    const path = action === "start"
      ? "/api/v1/consultations/{consultation_id}/start" as const
      : "/api/v1/consultations/{consultation_id}/no-show" as const;
    const { data, error } = await api.POST(path, { params: { path: { consultation_id: props.id } } })
      .catch(() => ({ data: undefined, error: undefined }));
    setBusy(false);
    setConfirmNoShow(false);
    if (!data) return setProblem(shown(error as never, t("doc_not_sent", lang)).message);
    setConsultation(data as Consultation);
  }

  if (!consultation) return <p class="loading" role="status">…</p>;
  const c = consultation;
  const over = ["completed", "cancelled", "no_show", "expired"].includes(c.status);
  return (
    <section class="doctor-consultation">
      <p><Link href="/doctor/agenda">{t("doc_back_to_agenda", lang)}</Link></p>
      <h1>{name ?? "…"}</h1>
      <p>{bamakoDateTime(c.starts_at, lang)} · {money(c.fee_xof, lang)}</p>
      {c.reason && <p>{t("reason", lang)} : {c.reason}</p>}
      <p class="status" data-status={c.status}>{t(`status_${c.status}` as TextKey, lang)}</p>
      {waiting(c) && <p class="arrived" role="status">{t("doc_patient_waiting", lang)}</p>}
      {c.status === "cancelled" && <p class="alert" role="alert">{t("doc_cancelled_meanwhile", lang)}</p>}
      <Alert>{problem}</Alert>
      <div class="controls">
        {canStart(c, now) && (
          <button class="primary wide" disabled={busy} onClick={() => void act("start")}>{t("doc_start", lang)}</button>
        )}
        {c.status === "confirmed" && !canStart(c, now) && <p class="hint">{t("doc_start_from", lang, {
          time: bamakoDateTime(new Date(new Date(c.starts_at).getTime() - 10 * 60_000).toISOString(), lang) })}</p>}
        {c.status === "in_progress" && (
          <Link href={`/consultations/${c.id}/call`} class="button primary wide">{t("join_call", lang)}</Link>
        )}
        {!over && (
          <Link href={`/doctor/patients/${c.patient_id}?consultation=${c.id}`} class="button wide">
            {t("doc_open_record", lang)}
          </Link>
        )}
        {canMarkNoShow(c, now) && !confirmNoShow && (
          <button class="wide" onClick={() => setConfirmNoShow(true)}>{t("doc_no_show", lang)}</button>
        )}
      </div>
      {confirmNoShow && (
        <div class="confirm" role="group" aria-label={t("doc_no_show", lang)}>
          <p>{t("doc_no_show_rule", lang)}</p>
          <button class="danger" disabled={busy} onClick={() => void act("no-show")}>{t("doc_no_show_yes", lang)}</button>
          <button onClick={() => setConfirmNoShow(false)}>{t("keep", lang)}</button>
        </div>
      )}
      {c.status === "in_progress" && <Completion id={c.id} onDone={(done) => setConsultation(done)} />}
      {c.status === "completed" && c.summary && <Written summary={c.summary} />}
    </section>
  );
}

function Written(props: { summary: NonNullable<Consultation["summary"]> }) {
  const lang = session.language;
  const s = props.summary;
  return (
    <section class="card">
      <h2>{t("doc_summary", lang)}</h2>
      <ul>{(s.diagnoses ?? []).map((d, i) => <li key={i}>{d.label} ({d.code})</li>)}</ul>
      {(s.prescriptions ?? []).length > 0 && (
        <>
          <h3>{t("doc_prescriptions", lang)}</h3>
          <ul>{(s.prescriptions ?? []).map((p, i) => (
            <li key={i}><strong>{p.medicine}</strong> — {[p.dose, p.route, p.frequency, p.duration].join(", ")}</li>
          ))}</ul>
        </>
      )}
      {s.notes && <p>{s.notes}</p>}
      {s.follow_up && <p>{t("doc_follow_up", lang)} : {s.follow_up}</p>}
    </section>
  );
}

const PRESCRIPTION_FIELDS: [keyof PrescriptionLine, TextKey][] = [
  ["medicine", "doc_medicine"], ["dose", "doc_dose"], ["route", "doc_route"],
  ["frequency", "doc_frequency"], ["duration", "doc_duration"],
];

/** The clinical summary: diagnoses found by code or words, prescriptions, notes, follow-up. */
function Completion(props: { id: string; onDone: (done: Consultation) => void }) {
  const lang = session.language;
  const [form, setForm] = useState<SummaryForm>(() => loadDraft(localStorage, props.id));
  const [query, setQuery] = useState("");
  const [checked, setChecked] = useState(false);
  const [problem, setProblem] = useState("");
  const [sending, setSending] = useState(false);
  const found = problems(form);

  function change(next: SummaryForm) {
    setForm(next);
    if (checked && Object.keys(problems(next)).length === 0) setProblem("");
    // Kept at every keystroke: a dropped connection or a closed tab loses nothing.
    keepDraft(localStorage, props.id, next);
  }

  function addDiagnosis(diagnosis: Diagnosis) {
    if (!form.diagnoses.some((d) => d.code === diagnosis.code)) {
      change({ ...form, diagnoses: [...form.diagnoses, diagnosis] });
    }
    setQuery("");
  }

  function setLine(index: number, field: keyof PrescriptionLine, value: string) {
    change({ ...form, prescriptions: form.prescriptions.map((line, i) => (i === index ? { ...line, [field]: value } : line)) });
  }

  async function send(event: Event) {
    event.preventDefault();
    setChecked(true);
    setProblem("");
    if (Object.keys(found).length) return setProblem(t("doc_check_form", lang));
    setSending(true);
    const answer = await api.POST("/api/v1/consultations/{consultation_id}/complete", {
      params: { path: { consultation_id: props.id } },
      body: summaryBody(form),
    }).catch(() => null);
    setSending(false);
    if (!answer) return setProblem(t("doc_not_sent_kept", lang));
    if (answer.data) {
      dropDraft(localStorage, props.id);
      return props.onDone(answer.data as Consultation);
    }
    if (answer.response.status === 409) {
      // Meanwhile cancelled (or completed elsewhere): say so; the summary stays on the phone.
      const { data } = await api.GET("/api/v1/consultations/{consultation_id}", {
        params: { path: { consultation_id: props.id } },
      });
      if (data?.status === "cancelled") return setProblem(t("doc_cancelled_meanwhile", lang));
    }
    setProblem(shown(answer.error as never, t("doc_not_sent_kept", lang)).message);
  }

  const suggestions = searchDiagnoses(query);
  const typedCode = query.trim().toUpperCase();
  return (
    <form class="card completion" onSubmit={(event) => void send(event)} noValidate>
      <h2>{t("doc_complete", lang)}</h2>
      <fieldset>
        <legend>{t("doc_diagnoses", lang)}</legend>
        <ul class="chosen">
          {form.diagnoses.map((d, i) => (
            <li key={d.code}>
              {d.label} ({d.code}){" "}
              <button type="button" class="link" aria-label={t("doc_remove_named", lang, { name: d.label })}
                onClick={() => change({ ...form, diagnoses: form.diagnoses.filter((_, j) => j !== i) })}>
                {t("doc_remove", lang)}
              </button>
              {checked && found[`diagnoses.${i}`] && <p class="field-error">{t("doc_bad_code", lang)}</p>}
            </li>
          ))}
        </ul>
        <Field label={t("doc_find_diagnosis", lang)} name="diagnosis" value={query} onInput={setQuery}
          error={checked && found.diagnoses ? t("doc_diagnosis_needed", lang) : undefined} />
        {suggestions.length > 0 && (
          <ul class="list suggestions">
            {suggestions.map((d) => (
              <li key={d.code}><button type="button" class="suggestion" onClick={() => addDiagnosis(d)}>
                <strong>{d.code}</strong> {d.label}
              </button></li>
            ))}
          </ul>
        )}
        {suggestions.length === 0 && /^[A-Z]\d{2}(\.\d{1,2})?$/.test(typedCode) && (
          <button type="button" onClick={() => addDiagnosis({ code: typedCode, label: typedCode })}>
            {t("doc_use_code", lang, { code: typedCode })}
          </button>
        )}
      </fieldset>
      <fieldset>
        <legend>{t("doc_prescriptions", lang)}</legend>
        {form.prescriptions.map((line, i) => (
          <div class="prescription" key={i} role="group" aria-label={t("doc_prescription_n", lang, { n: i + 1 })}>
            {PRESCRIPTION_FIELDS.map(([field, label]) => (
              <Field key={field} label={t(label, lang)} name={`prescriptions.${i}.${field}`} value={line[field]}
                onInput={(value) => setLine(i, field, value)}
                error={checked && found[`prescriptions.${i}`] && !line[field].trim() ? t("doc_required", lang) : undefined} />
            ))}
            <button type="button" onClick={() => change({ ...form, prescriptions: form.prescriptions.filter((_, j) => j !== i) })}>
              {t("doc_remove", lang)}
            </button>
          </div>
        ))}
        <button type="button" onClick={() => change({ ...form, prescriptions: [...form.prescriptions, { ...EMPTY_LINE }] })}>
          {t("doc_add_prescription", lang)}
        </button>
      </fieldset>
      <div class="field">
        <label for="summary-notes">{t("doc_notes", lang)}</label>
        <textarea id="summary-notes" name="notes" rows={4} value={form.notes}
          onInput={(event) => change({ ...form, notes: (event.target as HTMLTextAreaElement).value })} />
      </div>
      <Field label={t("doc_follow_up", lang)} name="follow_up" value={form.follow_up}
        onInput={(value) => change({ ...form, follow_up: value })} />
      <Alert>{problem}</Alert>
      <button class="primary wide" type="submit" disabled={sending}>{t("doc_send_summary", lang)}</button>
      <p class="hint">{t("doc_kept_hint", lang)}</p>
    </form>
  );
}
