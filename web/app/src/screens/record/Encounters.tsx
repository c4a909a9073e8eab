// Past consultations as their doctors wrote them: reason, diagnoses, prescription, notes.
import { api } from "../../api/client";
import { bamakoDateTime } from "../../format";
import { t } from "../../texts/record";
import { labelled } from "../../record";
import { session } from "../../session";
import { call, me, Page, Show, useLoad } from "./parts";

const text = (value: unknown) => (typeof value === "string" && value.trim() ? value : null);

export function Encounters() {
  const lang = session.language;
  const [loaded, reload] = useLoad(() => call(api.GET("/api/v1/records/{patient_id}/encounters", {
    params: { path: { patient_id: me() }, query: { limit: 50 } },
  }), lang));
  return (
    <Page title="rec_encounters">
      <Show loaded={loaded} retry={reload}>
        {(page) => (
          <>
            {page.items.length === 0 && <p>{t("rec_nothing", lang)}</p>}
            <ul class="list">
              {page.items.map((encounter) => (
                <li key={encounter.id}>
                  <article class="card encounter" aria-labelledby={`enc-${encounter.id}`}>
                    <h2 id={`enc-${encounter.id}`}>
                      {bamakoDateTime(encounter.completed_at, lang)}
                      {encounter.doctor_name ? ` · ${t("rec_with", lang, { name: encounter.doctor_name })}` : ""}
                    </h2>
                    {text(encounter.reason) && <p>{labelled(t("rec_reason", lang), encounter.reason!, lang)}</p>}
                    {(encounter.diagnoses ?? []).length > 0 && (
                      <>
                        <h3>{t("rec_diagnoses", lang)}</h3>
                        <ul class="facts">
                          {(encounter.diagnoses ?? []).map((d, i) => (
                            <li key={i}>{[text(d.label), text(d.code) && `(${d.code})`].filter(Boolean).join(" ")}</li>
                          ))}
                        </ul>
                      </>
                    )}
                    {(encounter.prescriptions ?? []).length > 0 && (
                      <>
                        <h3>{t("rec_prescriptions", lang)}</h3>
                        <ul class="facts">
                          {(encounter.prescriptions ?? []).map((p, i) => (
                            <li key={i}>
                              <strong>{text(p.medicine)}</strong>{" "}
                              {["dose", "route", "frequency", "duration", "instructions"]
                                .map((name) => text(p[name])).filter(Boolean).join(" · ")}
                            </li>
                          ))}
                        </ul>
                      </>
                    )}
                    {text(encounter.notes) && <p>{labelled(t("rec_notes", lang), encounter.notes!, lang)}</p>}
                    {text(encounter.follow_up) && <p>{labelled(t("rec_follow_up", lang), encounter.follow_up!, lang)}</p>}
                  </article>
                </li>
              ))}
            </ul>
          </>
        )}
      </Show>
    </Page>
  );
}
