// Vital signs: record a measurement (checked here by the service's rules first), and every
// measurement, newest first. The API keeps measurements as they were taken: none is changed or
// removed; a wrong one is followed by the right one.
import { useState } from "preact/hooks";
import { api } from "../../api/client";
import { bamakoDateTime } from "../../format";
import { t, type TextKey } from "../../texts/record";
import { labelled, VITAL_KINDS, type VitalForm, type VitalKind, VITALS, vitalBody, vitalReading } from "../../record";
import { session } from "../../session";
import { Alert } from "../../ui";
import { call, Done, Input, me, NONE, Page, Select, Show, useLoad } from "./parts";

const EMPTY = { value: "", systolic: "", diastolic: "", measuredAt: "" };

export function Vitals() {
  const lang = session.language;
  const [loaded, reload] = useLoad(() => call(api.GET("/api/v1/records/{patient_id}/observations", {
    params: { path: { patient_id: me() }, query: { limit: 100 } },
  }), lang));
  const [form, setForm] = useState<VitalForm>({ kind: "blood_pressure", unit: "mm[Hg]", ...EMPTY });
  const [checked, setChecked] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState(NONE);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState("");

  const spec = VITALS[form.kind];
  const set = (change: Partial<VitalForm>) => setForm({ ...form, ...change });
  const error = (name: string) => checked[name] ?? problem.fields[name];

  async function save(event: Event) {
    event.preventDefault();
    if (busy) return;
    setDone("");
    const result = vitalBody(form, new Date());
    if ("fields" in result) {
      setChecked(Object.fromEntries(Object.entries(result.fields)
        .map(([name, found]) => [name, t(found.key, lang, found.values)])));
      setProblem(NONE);
      return;
    }
    setChecked({});
    setBusy(true);
    const added = await call(api.POST("/api/v1/records/{patient_id}/observations", {
      params: { path: { patient_id: me() } },
      body: result.body as never,
    }), lang);
    if (!added.ok) {
      setBusy(false);
      return setProblem(added.problem);
    }
    await reload();
    setBusy(false);
    setProblem(NONE);
    setForm({ ...form, ...EMPTY });
    setDone(t("rec_saved", lang));
  }

  return (
    <Page title="rec_vitals">
      <form class="card" onSubmit={save} noValidate aria-labelledby="rec-vital-title">
        <h2 id="rec-vital-title">{t("rec_add_vital", lang)}</h2>
        <Select label={t("rec_kind", lang)} name="kind" value={form.kind}
          options={VITAL_KINDS.map((kind) => ({ value: kind, label: t(`rec_kind_${kind}` as TextKey, lang) }))}
          onChange={(kind) => {
            setChecked({});
            set({ kind: kind as VitalKind, unit: VITALS[kind as VitalKind].units[0].unit });
          }} />
        {form.kind === "blood_pressure" ? (
          <div class="pair">
            <Input label={t("rec_systolic", lang)} name="systolic" inputMode="numeric" value={form.systolic}
              error={error("systolic")} onInput={(systolic) => set({ systolic })} />
            <Input label={t("rec_diastolic", lang)} name="diastolic" inputMode="numeric" value={form.diastolic}
              error={error("diastolic")} onInput={(diastolic) => set({ diastolic })} />
          </div>
        ) : (
          <div class="pair">
            <Input label={`${t("rec_value", lang)} (${(spec.units.find((u) => u.unit === form.unit) ?? spec.units[0]).label})`}
              name="value" inputMode="decimal" value={form.value} error={error("value")}
              onInput={(value) => set({ value })} />
            {spec.units.length > 1 && (
              <Select label={t("rec_unit", lang)} name="unit" value={form.unit} error={error("unit")}
                options={spec.units.map((u) => ({ value: u.unit, label: u.label }))}
                onChange={(unit) => set({ unit })} />
            )}
          </div>
        )}
        <Input label={t("rec_measured_at", lang)} name="measured_at" type="datetime-local"
          value={form.measuredAt} error={error("measured_at")} onInput={(measuredAt) => set({ measuredAt })} />
        <Alert>{problem.message}</Alert>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t("rec_saving", lang) : t("rec_save", lang)}
        </button>
        {done && <Done>{done}</Done>}
      </form>
      <h2>{t("rec_history", lang)}</h2>
      <p class="hint">{t("rec_vitals_final", lang)}</p>
      <Show loaded={loaded} retry={reload}>
        {(page) => (
          <>
            {page.items.length === 0 && <p>{t("rec_nothing", lang)}</p>}
            <ul class="list">
              {page.items.map((observation) => (
                <li key={observation.id} class="card entry">
                  <strong>{labelled(t(`rec_kind_${observation.kind}` as TextKey, lang), vitalReading(observation, lang), lang)}</strong>
                  <span class="muted">{bamakoDateTime(observation.measured_at, lang)}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </Show>
    </Page>
  );
}
