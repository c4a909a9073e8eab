// Who read or changed the record, what, how (a share, a consultation) and when, in Bamako time.
import { useState } from "preact/hooks";
import { api } from "../../api/client";
import { bamakoDateTime } from "../../format";
import { t } from "../../texts/record";
import { accessLine, visibleAccesses } from "../../record";
import { session } from "../../session";
import { call, me, Page, Show, useDoctorNames, useLoad } from "./parts";

export function AccessLog() {
  const lang = session.language;
  const [withMine, setWithMine] = useState(false);
  const [loaded, reload] = useLoad(() => call(api.GET("/api/v1/records/{patient_id}/access-log", {
    params: { path: { patient_id: me() }, query: { limit: 200 } },
  }), lang));
  const doctors = loaded.state === "ready"
    ? loaded.data.items.filter((e) => e.role === "doctor").map((e) => e.actor_id) : [];
  const names = useDoctorNames(doctors);
  return (
    <Page title="rec_access_log">
      <p>{t("rec_access_intro", lang)}</p>
      <label class="check">
        <input type="checkbox" checked={withMine}
          onChange={(event) => setWithMine((event.target as HTMLInputElement).checked)} />
        {t("rec_show_mine", lang)}
      </label>
      <Show loaded={loaded} retry={reload}>
        {(page) => {
          const entries = visibleAccesses(page.items, me(), withMine);
          return (
            <>
              {entries.length === 0 && <p>{t(withMine ? "rec_nothing" : "rec_nobody_else", lang)}</p>}
              <ul class="list">
                {entries.map((entry) => {
                  const line = accessLine(entry, me(), names, lang);
                  return (
                    <li key={entry.id} class="card entry access" data-outcome={entry.outcome}>
                      <strong>{line.who}</strong>
                      <span>{line.what}{line.via ? ` (${line.via})` : ""}</span>
                      <span class="muted"><time dateTime={entry.at}>{bamakoDateTime(entry.at, lang)}</time></span>
                    </li>
                  );
                })}
              </ul>
            </>
          );
        }}
      </Show>
    </Page>
  );
}
