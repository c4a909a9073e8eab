// Allergies, conditions, medications and vaccinations: the list, adding one, correcting one the
// patient entered (the API has no edit of these fields: the corrected entry is added, then the
// old one removed), removing one, and marking a condition healed or a medication stopped (PATCH).
import { useState } from "preact/hooks";
import { api } from "../../api/client";
import { t, type TextKey } from "../../texts/record";
import {
  type Entry,
  entryBody,
  entryDetails,
  entryName,
  entryValues,
  type EntrySection,
  nextStatus,
  ownEntry,
  SCREEN_TITLE,
  shortDate,
} from "../../record";
import { session } from "../../session";
import { Alert } from "../../ui";
import { call, Confirm, Done, Input, me, NONE, type Outcome, Page, Select, Show, useLoad } from "./parts";

type FieldSpec = { name: string; label: TextKey; type?: "date"; numeric?: boolean; options?: TextKey[] };

const FORMS: Record<EntrySection, FieldSpec[]> = {
  allergies: [
    { name: "substance", label: "rec_substance" },
    { name: "reaction", label: "rec_reaction" },
    { name: "severity", label: "rec_severity",
      options: ["rec_severity_none", "rec_severity_mild", "rec_severity_moderate", "rec_severity_severe"] },
  ],
  conditions: [
    { name: "label", label: "rec_label" },
    { name: "code", label: "rec_code" },
    { name: "onset", label: "rec_onset", type: "date" },
  ],
  medications: [
    { name: "medicine", label: "rec_medicine" },
    { name: "dose", label: "rec_dose" },
    { name: "frequency", label: "rec_frequency" },
    { name: "duration", label: "rec_duration" },
  ],
  vaccinations: [
    { name: "vaccine", label: "rec_vaccine" },
    { name: "date", label: "rec_vaccine_date", type: "date" },
    { name: "dose_number", label: "rec_dose_number", numeric: true },
  ],
};
const SEVERITIES = ["", "mild", "moderate", "severe"];

const ADD: Record<EntrySection, TextKey> = {
  allergies: "rec_add_allergies",
  conditions: "rec_add_conditions",
  medications: "rec_add_medications",
  vaccinations: "rec_add_vaccinations",
};

function empty(section: EntrySection): Record<string, string> {
  return Object.fromEntries(FORMS[section].map((field) => [field.name, ""]));
}

/** The typed client's call for each section (one route per section and action). */
function add(section: EntrySection, body: Record<string, unknown>, lang: "fr" | "en" | "bm"): Promise<Outcome<unknown>> {
  const path = { patient_id: me() };
  switch (section) {
    case "allergies":
      return call(api.POST("/api/v1/records/{patient_id}/allergies", { params: { path }, body: body as never }), lang);
    case "conditions":
      return call(api.POST("/api/v1/records/{patient_id}/conditions", { params: { path }, body: body as never }), lang);
    case "medications":
      return call(api.POST("/api/v1/records/{patient_id}/medications", { params: { path }, body: body as never }), lang);
    default:
      return call(api.POST("/api/v1/records/{patient_id}/vaccinations", { params: { path }, body: body as never }), lang);
  }
}

function remove(section: EntrySection, entryId: string, lang: "fr" | "en" | "bm"): Promise<Outcome<unknown>> {
  const params = { path: { patient_id: me(), entry_id: entryId } };
  switch (section) {
    case "allergies":
      return call(api.DELETE("/api/v1/records/{patient_id}/allergies/{entry_id}", { params }), lang);
    case "conditions":
      return call(api.DELETE("/api/v1/records/{patient_id}/conditions/{entry_id}", { params }), lang);
    case "medications":
      return call(api.DELETE("/api/v1/records/{patient_id}/medications/{entry_id}", { params }), lang);
    default:
      return call(api.DELETE("/api/v1/records/{patient_id}/vaccinations/{entry_id}", { params }), lang);
  }
}

function changeStatus(section: EntrySection, entryId: string, status: string, lang: "fr" | "en" | "bm"):
  Promise<Outcome<unknown>> {
  const params = { path: { patient_id: me(), entry_id: entryId } };
  if (section === "conditions") {
    return call(api.PATCH("/api/v1/records/{patient_id}/conditions/{entry_id}",
      { params, body: { status: status as "active" | "resolved" } }), lang);
  }
  return call(api.PATCH("/api/v1/records/{patient_id}/medications/{entry_id}",
    { params, body: { status: status as "active" | "stopped" } }), lang);
}

export function Entries(props: { section: EntrySection }) {
  const { section } = props;
  const lang = session.language;
  const [loaded, reload] = useLoad(() =>
    call(api.GET("/api/v1/records/{patient_id}", { params: { path: { patient_id: me() } } }), lang));
  const [values, setValues] = useState(() => empty(section));
  const [correcting, setCorrecting] = useState<Entry | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(NONE);
  const [fieldKeys, setFieldKeys] = useState<Record<string, TextKey>>({});
  const [done, setDone] = useState("");

  function startCorrecting(entry: Entry) {
    setCorrecting(entry);
    setValues(entryValues(FORMS[section].map((f) => f.name), entry));
    setProblem(NONE);
    setFieldKeys({});
    setDone("");
    requestAnimationFrame(() => document.getElementById("rec-entry-form")?.scrollIntoView());
  }

  function stopCorrecting() {
    setCorrecting(null);
    setValues(empty(section));
    setProblem(NONE);
    setFieldKeys({});
  }

  async function save(event: Event) {
    event.preventDefault();
    if (busy) return;
    setDone("");
    const checked = entryBody(section, values);
    if ("fields" in checked) {
      setFieldKeys(checked.fields);
      setProblem(NONE);
      return;
    }
    setFieldKeys({});
    // A correction keeps what the form does not show (a condition healed stays healed).
    const body = correcting?.status ? { ...checked.body, status: correcting.status } : checked.body;
    setBusy(true);
    const added = await add(section, body, lang);
    if (!added.ok) {
      setBusy(false);
      return setProblem(added.problem);
    }
    let message = t("rec_saved", lang);
    if (correcting) {
      const removed = await remove(section, correcting.id, lang);
      message = removed.ok ? t("rec_corrected", lang) : t("rec_old_kept", lang);
    }
    await reload();
    setBusy(false);
    setCorrecting(null);
    setValues(empty(section));
    setProblem(NONE);
    setDone(message);
  }

  async function confirmRemove(entryId: string) {
    setBusy(true);
    setDone("");
    const removed = await remove(section, entryId, lang);
    if (removed.ok) await reload();
    setBusy(false);
    setRemoving(null);
    if (removed.ok) setDone(t("rec_removed", lang));
    else setProblem(removed.problem);
  }

  async function toggle(entry: Entry, status: string) {
    setBusy(true);
    setDone("");
    const changed = await changeStatus(section, entry.id, status, lang);
    if (changed.ok) await reload();
    setBusy(false);
    if (changed.ok) setDone(t("rec_saved", lang));
    else setProblem(changed.problem);
  }

  const error = (name: string) => problem.fields[name] ?? (fieldKeys[name] ? t(fieldKeys[name], lang) : undefined);

  return (
    <Page title={SCREEN_TITLE[section]}>
      <Show loaded={loaded} retry={reload}>
        {(record) => {
          const entries = (record[section] as Entry[]) ?? [];
          return (
            <>
              {done && <Done>{done}</Done>}
              {entries.length === 0 && <p>{t("rec_nothing", lang)}</p>}
              <ul class="list">
                {entries.map((entry) => {
                  const name = entryName(section, entry);
                  const next = nextStatus(section, entry.status);
                  const nameId = `entry-${entry.id}`;
                  return (
                    <li key={entry.id} class="card entry">
                      <strong id={nameId}>{name}</strong>
                      {entryDetails(section, entry, lang).map((detail, i) => <span key={i}>{detail}</span>)}
                      {entry.status && next && (
                        <span class="status" data-status={entry.status}>
                          {t(`rec_status_${entry.status}` as TextKey, lang)}
                        </span>
                      )}
                      <span class="muted">
                        {t(ownEntry(entry) ? "rec_by_you" : "rec_by_doctor", lang)} ·{" "}
                        {t("rec_recorded", lang, { at: shortDate(entry.recorded_at, lang) })}
                      </span>
                      {removing === entry.id ? (
                        <Confirm question={t("rec_confirm_remove", lang, { what: name })}
                          yes={t("rec_yes_remove", lang)} no={t("rec_no_keep", lang)} busy={busy}
                          onYes={() => confirmRemove(entry.id)} onNo={() => setRemoving(null)} />
                      ) : (
                        <div class="actions">
                          {next && (
                            <button type="button" disabled={busy} aria-describedby={nameId}
                              onClick={() => toggle(entry, next.status)}>{t(next.label, lang)}</button>
                          )}
                          {ownEntry(entry) && (
                            <>
                              <button type="button" disabled={busy} aria-describedby={nameId}
                                onClick={() => startCorrecting(entry)}>{t("rec_correct", lang)}</button>
                              <button type="button" disabled={busy} aria-describedby={nameId}
                                onClick={() => { setRemoving(entry.id); setDone(""); }}>{t("rec_remove", lang)}</button>
                            </>
                          )}
                        </div>
                      )}
                    </li>
                  );
                })}
              </ul>
              <form id="rec-entry-form" class="card" onSubmit={save} noValidate aria-labelledby="rec-entry-title">
                <h2 id="rec-entry-title">
                  {correcting
                    ? t("rec_correct_title", lang, { what: entryName(section, correcting) })
                    : t(ADD[section], lang)}
                </h2>
                {correcting && <p class="hint">{t("rec_correct_how", lang)}</p>}
                {FORMS[section].map((field) => field.options ? (
                  <Select key={field.name} label={t(field.label, lang)} name={field.name}
                    value={values[field.name]} error={error(field.name)}
                    options={SEVERITIES.map((value, i) => ({ value, label: t(field.options![i], lang) }))}
                    onChange={(value) => setValues({ ...values, [field.name]: value })} />
                ) : (
                  <Input key={field.name} label={t(field.label, lang)} name={field.name}
                    type={field.type} inputMode={field.numeric ? "numeric" : undefined}
                    max={field.type === "date" ? new Date().toISOString().slice(0, 10) : undefined}
                    value={values[field.name]} error={error(field.name)}
                    onInput={(value) => setValues({ ...values, [field.name]: value })} />
                ))}
                <Alert>{problem.message}</Alert>
                <div class="actions">
                  <button type="submit" class="primary" disabled={busy}>
                    {busy ? t("rec_saving", lang) : t("rec_save", lang)}
                  </button>
                  {correcting && <button type="button" onClick={stopCorrecting}>{t("rec_cancel", lang)}</button>}
                </div>
              </form>
            </>
          );
        }}
      </Show>
    </Page>
  );
}
