// The record at a glance: what a carer must know first (allergies, current medications and
// conditions, the latest measurements, the latest consultations), the way to every section, and
// the FHIR export.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { bamakoDateTime } from "../../format";
import { t, type TextKey } from "../../texts/record";
import { type Entry, entryName, labelled, exportFileName, shortDate, vitalReading } from "../../record";
import { session } from "../../session";
import { Alert } from "../../ui";
import { Link } from "../../ui";
import { call, me, Show, useLoad } from "./parts";

type RecordView = components["schemas"]["records.RecordView"];

const SECTIONS: { href: string; title: TextKey; count?: (r: RecordView) => number }[] = [
  { href: "/record/encounters", title: "rec_encounters" },
  { href: "/record/allergies", title: "rec_allergies", count: (r) => r.allergies.length },
  { href: "/record/conditions", title: "rec_conditions", count: (r) => r.conditions.length },
  { href: "/record/medications", title: "rec_medications", count: (r) => r.medications.length },
  { href: "/record/vaccinations", title: "rec_vaccinations", count: (r) => r.vaccinations.length },
  { href: "/record/vitals", title: "rec_vitals" },
  { href: "/record/documents", title: "rec_attachments" },
  { href: "/record/shares", title: "rec_shares" },
  { href: "/record/access-log", title: "rec_access_log" },
];

export function Summary() {
  const lang = session.language;
  const [loaded, reload] = useLoad(() =>
    call(api.GET("/api/v1/records/{patient_id}", { params: { path: { patient_id: me() } } }), lang));
  return (
    <section class="record">
      <h1>{t("my_record", lang)}</h1>
      <Show loaded={loaded} retry={reload}>
        {(record) => (
          <>
            {typeof record.profile.full_name === "string" && <p class="who">{record.profile.full_name}</p>}
            <section class="card" aria-labelledby="rec-summary">
              <h2 id="rec-summary">{t("rec_summary", lang)}</h2>
              <Facts title="rec_allergies" items={record.allergies.map((e) => entryName("allergies", e as Entry))} />
              <Facts title="rec_current_medications"
                items={record.current_medications.map((e) => entryName("medications", e as Entry))} />
              <Facts title="rec_active_conditions" items={record.conditions
                .filter((e) => e.status !== "resolved").map((e) => entryName("conditions", e as Entry))} />
              <Facts title="rec_latest_vitals" items={record.latest_vitals.map((o) =>
                `${labelled(t(`rec_kind_${o.kind}` as TextKey, lang), vitalReading(o, lang), lang)} (${shortDate(o.measured_at, lang)})`)} />
              <Facts title="rec_recent_encounters" items={record.recent_encounters.map((e) =>
                [bamakoDateTime(e.completed_at, lang), e.doctor_name, e.reason].filter(Boolean).join(" · "))} />
            </section>
            <nav aria-labelledby="rec-sections">
              <h2 id="rec-sections">{t("rec_sections", lang)}</h2>
              <ul class="list sections">
                {SECTIONS.map((section) => (
                  <li key={section.href}>
                    <Link href={section.href} class="card section">
                      <span>{t(section.title, lang)}</span>
                      {section.count && <span class="count">{t("rec_items", lang, { count: section.count(record) })}</span>}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
            <Export />
          </>
        )}
      </Show>
    </section>
  );
}

function Facts(props: { title: TextKey; items: string[] }) {
  const lang = session.language;
  return (
    <>
      <h3>{t(props.title, lang)}</h3>
      {props.items.length === 0 ? <p class="muted">{t("rec_nothing", lang)}</p> : (
        <ul class="facts">{props.items.map((item, i) => <li key={i}>{item}</li>)}</ul>
      )}
    </>
  );
}

/** The record as a FHIR Bundle, fetched with the person's token and saved as a file. */
function Export() {
  const lang = session.language;
  const [file, setFile] = useState<{ url: string; name: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState("");
  useEffect(() => () => { if (file) URL.revokeObjectURL(file.url); }, [file]);

  async function download() {
    setBusy(true);
    setProblem("");
    const outcome = await call(api.GET("/api/v1/records/{patient_id}/fhir", {
      params: { path: { patient_id: me() } },
      parseAs: "blob",
    }), lang);
    setBusy(false);
    if (!outcome.ok) return setProblem(outcome.problem.message);
    const blob = new Blob([outcome.data as Blob], { type: "application/fhir+json" });
    const saved = { url: URL.createObjectURL(blob), name: exportFileName(new Date(), lang) };
    setFile(saved);
    // Saved at once; the link stays for a phone that did not (or to save it again).
    const link = document.createElement("a");
    link.href = saved.url;
    link.download = saved.name;
    document.body.append(link);
    link.click();
    link.remove();
  }

  return (
    <section class="card" aria-labelledby="rec-export">
      <h2 id="rec-export">{t("rec_export", lang)}</h2>
      <p>{t("rec_export_hint", lang)}</p>
      <button type="button" class="primary" disabled={busy} onClick={download}>
        {busy ? "…" : t("rec_export", lang)}
      </button>
      <Alert>{problem}</Alert>
      {file && (
        <p role="status">
          {t("rec_export_ready", lang, { name: file.name })}{" "}
          <a class="button" href={file.url} download={file.name} data-export>{t("rec_save_file", lang)}</a>
        </p>
      )}
    </section>
  );
}
