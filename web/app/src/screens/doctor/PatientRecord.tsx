// A patient's record as their doctor reads it: only while a consultation (or a share) allows
// it; once that has closed, the doctor is told so in words rather than shown an error.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { bamakoDateTime } from "../../format";
import { entryName, shortDate, vitalReading, type Entry } from "../../record";
import { session } from "../../session";
import { t, type TextKey } from "../../texts/doctor";
import { Link } from "../../ui";

type RecordView = components["schemas"]["records.RecordView"];
type State = { state: "loading" } | { state: "closed" } | { state: "failed" } | { state: "ready"; record: RecordView };

export function PatientRecord(props: { patientId: string; consultationId: string | null }) {
  const lang = session.language;
  const [loaded, setLoaded] = useState<State>({ state: "loading" });

  async function load() {
    const answer = await api.GET("/api/v1/records/{patient_id}", {
      params: { path: { patient_id: props.patientId } },
    }).catch(() => null);
    if (!answer) return setLoaded({ state: "failed" });
    // Another person's record, or one no longer open to this doctor: the same 404.
    if (answer.response.status === 404) return setLoaded({ state: "closed" });
    setLoaded(answer.data ? { state: "ready", record: answer.data } : { state: "failed" });
  }

  useEffect(() => void load(), [props.patientId]);

  const back = props.consultationId ? `/doctor/consultations/${props.consultationId}` : "/doctor/agenda";
  return (
    <section class="record">
      <p><Link href={back}>{t(props.consultationId ? "doc_back_to_consultation" : "doc_back_to_agenda", lang)}</Link></p>
      <h1>{t("doc_patient_record", lang)}</h1>
      {loaded.state === "loading" && <p class="loading" role="status">…</p>}
      {loaded.state === "failed" && (
        <div class="card">
          <p class="alert" role="alert">{t("load_failed", lang)}</p>
          <button onClick={() => void load()}>{t("retry", lang)}</button>
        </div>
      )}
      {loaded.state === "closed" && (
        <p class="card alert" role="alert" id="record-closed">{t("doc_record_closed", lang)}</p>
      )}
      {loaded.state === "ready" && <Shown record={loaded.record} />}
    </section>
  );
}

function Shown(props: { record: RecordView }) {
  const lang = session.language;
  const r = props.record;
  const facts: [TextKey, string[]][] = [
    ["rec_allergies", r.allergies.map((e) => entryName("allergies", e as Entry))],
    ["rec_current_medications", r.current_medications.map((e) => entryName("medications", e as Entry))],
    ["rec_active_conditions", r.conditions.filter((e) => e.status !== "resolved").map((e) => entryName("conditions", e as Entry))],
    ["rec_vaccinations", r.vaccinations.map((e) => entryName("vaccinations", e as Entry))],
    ["rec_latest_vitals", r.latest_vitals.map((o) => `${t(`rec_kind_${o.kind}` as TextKey, lang)} : ${vitalReading(o, lang)} (${shortDate(o.measured_at, lang)})`)],
    ["rec_recent_encounters", r.recent_encounters.map((e) => [bamakoDateTime(e.completed_at, lang), e.doctor_name, e.reason].filter(Boolean).join(" · "))],
  ];
  return (
    <>
      {typeof r.profile.full_name === "string" && <p class="who">{r.profile.full_name}</p>}
      {facts.map(([title, items]) => (
        <section class="card" key={title}>
          <h2>{t(title, lang)}</h2>
          {items.length === 0 ? <p class="muted">{t("rec_nothing", lang)}</p>
            : <ul class="facts">{items.map((item, i) => <li key={i}>{item}</li>)}</ul>}
        </section>
      ))}
    </>
  );
}
