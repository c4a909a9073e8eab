// Sharing the record with a doctor of the directory until a day (included, Bamako time), the
// shares made (active first), and revoking one.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import { bamakoDateTime } from "../../format";
import { t } from "../../texts/record";
import {
  bamakoDay,
  SHARE_DEFAULT_DAYS,
  SHARE_MAX_DAYS,
  shareState,
  shareUntil,
  shortDate,
  sortedShares,
} from "../../record";
import { session } from "../../session";
import { Alert, Field } from "../../ui";
import { call, Confirm, Done, Input, me, NONE, Page, Show, useDoctorNames, useLoad } from "./parts";

type Card = { id: string; full_name: string; city?: string | null; specialty: { label: string } };

export function Shares() {
  const lang = session.language;
  const [loaded, reload] = useLoad(() => call(api.GET("/api/v1/records/{patient_id}/shares", {
    params: { path: { patient_id: me() } },
  }), lang));
  const [name, setName] = useState("");
  const [doctors, setDoctors] = useState<Card[] | null>(null);
  const [searchProblem, setSearchProblem] = useState("");
  const [chosen, setChosen] = useState<Card | null>(null);
  const [day, setDay] = useState(() => bamakoDay(new Date(), SHARE_DEFAULT_DAYS));
  const [problem, setProblem] = useState(NONE);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState("");
  const [revoking, setRevoking] = useState<string | null>(null);
  const now = new Date();
  const shares = loaded.state === "ready" ? loaded.data.items : [];
  const names = useDoctorNames(shares.map((share) => share.doctor_id));

  async function search(event?: Event) {
    event?.preventDefault();
    setSearchProblem("");
    const found = await call(api.GET("/api/v1/users/doctors", {
      params: { query: name.trim() ? { name: name.trim() } : {} },
    }), lang);
    if (!found.ok) return setSearchProblem(found.problem.message);
    setDoctors(found.data.items as Card[]);
  }

  useEffect(() => {
    void search();
  }, []);

  async function share(event: Event) {
    event.preventDefault();
    if (busy) return;
    setDone("");
    const until = shareUntil(day, new Date());
    const fields: Record<string, string> = {};
    if (!chosen) fields.doctor_id = t("rec_pick_doctor", lang);
    if ("problem" in until) fields.until = t(until.problem, lang);
    if (!chosen || "problem" in until) return setProblem({ message: "", fields });
    setBusy(true);
    const made = await call(api.POST("/api/v1/records/{patient_id}/shares", {
      params: { path: { patient_id: me() } },
      body: { doctor_id: chosen.id, until: until.until },
    }), lang);
    if (!made.ok) {
      setBusy(false);
      return setProblem(made.problem);
    }
    await reload();
    setBusy(false);
    setProblem(NONE);
    setDone(t("rec_shared", lang, { name: chosen.full_name, until: shortDate(until.until, lang) }));
    setChosen(null);
  }

  async function revoke(shareId: string) {
    setBusy(true);
    setDone("");
    const revoked = await call(api.DELETE("/api/v1/records/{patient_id}/shares/{share_id}", {
      params: { path: { patient_id: me(), share_id: shareId } },
    }), lang);
    if (revoked.ok) await reload();
    setBusy(false);
    setRevoking(null);
    if (revoked.ok) setDone(t("rec_revoked", lang));
    else setProblem(revoked.problem);
  }

  return (
    <Page title="rec_shares">
      <section class="card" aria-labelledby="rec-share-new">
        <h2 id="rec-share-new">{t("rec_share_new", lang)}</h2>
        <p class="hint">{t("rec_share_note", lang)}</p>
        <form onSubmit={search} role="search">
          <Field label={t("rec_doctor_name", lang)} name="name" value={name} onInput={setName} />
          <button type="submit">{t("rec_find", lang)}</button>
          <Alert>{searchProblem}</Alert>
        </form>
        <form onSubmit={share} noValidate>
          <fieldset aria-describedby={problem.fields.doctor_id ? "rec-doctor-error" : undefined}>
            <legend>{t("rec_choose_doctor", lang)}</legend>
            {doctors === null && <p class="loading">…</p>}
            {doctors?.length === 0 && <p>{t("rec_no_doctor", lang)}</p>}
            <div class="choices">
              {doctors?.map((doctor) => (
                <label key={doctor.id} class={chosen?.id === doctor.id ? "slot chosen" : "slot"}>
                  <input type="radio" name="doctor" value={doctor.id} checked={chosen?.id === doctor.id}
                    onChange={() => setChosen(doctor)} />
                  <span>
                    <strong>{doctor.full_name}</strong>
                    <br />
                    {doctor.specialty.label}{doctor.city ? ` · ${doctor.city}` : ""}
                  </span>
                </label>
              ))}
            </div>
            {problem.fields.doctor_id && <p id="rec-doctor-error" class="field-error">{problem.fields.doctor_id}</p>}
          </fieldset>
          <Input label={t("rec_until", lang)} name="until" type="date" value={day} onInput={setDay}
            min={bamakoDay(now, 1)} max={bamakoDay(now, SHARE_MAX_DAYS)} error={problem.fields.until} />
          <Alert>{problem.message}</Alert>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t("rec_saving", lang) : t("rec_share", lang)}
          </button>
        </form>
        {done && <Done>{done}</Done>}
      </section>
      <h2>{t("rec_my_shares", lang)}</h2>
      <Show loaded={loaded} retry={reload}>
        {(page) => (
          <>
            {page.items.length === 0 && <p>{t("rec_nothing", lang)}</p>}
            <ul class="list">
              {sortedShares(page.items, now).map((item) => {
                const state = shareState(item, now);
                const who = names[item.doctor_id] ?? t("rec_a_doctor", lang);
                return (
                  <li key={item.id} class="card entry share" data-state={state}>
                    <strong id={`share-${item.id}`}>{who}</strong>
                    <span>
                      {state === "active" && t("rec_share_active", lang, { until: shortDate(item.until, lang) })}
                      {state === "expired" && t("rec_share_expired", lang, { until: shortDate(item.until, lang) })}
                      {state === "revoked" && t("rec_share_revoked", lang, { at: bamakoDateTime(item.revoked_at!, lang) })}
                    </span>
                    {state === "active" && (revoking === item.id ? (
                      <Confirm question={t("rec_confirm_revoke", lang, { name: who })}
                        yes={t("rec_yes_revoke", lang)} no={t("rec_no_keep", lang)} busy={busy}
                        onYes={() => revoke(item.id)} onNo={() => setRevoking(null)} />
                    ) : (
                      <div class="actions">
                        <button type="button" disabled={busy} aria-describedby={`share-${item.id}`}
                          onClick={() => { setRevoking(item.id); setDone(""); }}>{t("rec_revoke", lang)}</button>
                      </div>
                    ))}
                  </li>
                );
              })}
            </ul>
          </>
        )}
      </Show>
    </Page>
  );
}
