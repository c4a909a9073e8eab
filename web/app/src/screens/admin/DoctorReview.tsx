// A doctor's whole file for review: photo, licence and details; verify, or suspend with a
// reason, each confirmed first; the new status once done, and the history of every decision.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { bamakoDateTime, money } from "../../format";
import { session } from "../../session";
import { t, type TextKey } from "../../texts/admin";
import { Alert } from "../../ui";
import { Link } from "../../ui";
import { call, NONE, TextArea, usePhoto } from "./parts";
import { actionsFor, decisionKey, newestFirst, REASON_MAX, reasonProblem } from "./review";
import { sinceText, type Doctor } from "./ReviewQueue";

type Decision = components["schemas"]["users.ReviewDecision"];
// What verification checks, named as the page names them (the API names the missing fields).
const FIELD_LABELS: Record<string, TextKey> = {
  full_name: "full_name",
  specialty: "specialty",
  licence_number: "adm_licence",
  fee_xof: "adm_fee",
  city: "city",
};

type Loaded = { state: "loading" } | { state: "failed"; message: string } | { state: "ready"; doctor: Doctor };

function Fact(props: { label: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

function Photo(props: { doctor: Doctor }) {
  const lang = session.language;
  const photo = usePhoto(props.doctor.photo_url);
  if (photo.state === "shown") {
    return <img class="photo" src={photo.url} alt={t("adm_photo_of", lang, { name: props.doctor.full_name })} />;
  }
  if (photo.state === "loading") return <div class="photo" role="status" aria-label="…" />;
  return <p class="photo none">{t(photo.state === "failed" ? "adm_photo_failed" : "adm_no_photo", lang)}</p>;
}

function History(props: { decisions: Decision[] | null; failed: boolean }) {
  const lang = session.language;
  return (
    <section class="card" aria-labelledby="adm-history">
      <h2 id="adm-history">{t("adm_history", lang)}</h2>
      {props.failed && <Alert>{t("load_failed", lang)}</Alert>}
      {props.decisions === null && !props.failed && <p class="loading" role="status">…</p>}
      {props.decisions?.length === 0 && <p>{t("adm_no_history", lang)}</p>}
      {props.decisions && props.decisions.length > 0 && (
        <ol class="history">
          {newestFirst(props.decisions).map((decision) => (
            <li key={`${decision.decided_at}-${decision.action}`} data-action={decision.action}>
              <strong>{t(decisionKey(decision), lang)}</strong>
              <span>
                <time dateTime={decision.decided_at}>{bamakoDateTime(decision.decided_at, lang)}</time>
                {" · "}
                {t("adm_by", lang, { name: decision.decided_by.full_name ?? t("adm_someone", lang) })}
              </span>
              {decision.reason && <span class="reason">{t("adm_reason_shown", lang, { reason: decision.reason })}</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function DoctorReview(props: { id: string }) {
  const lang = session.language;
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const [decisions, setDecisions] = useState<Decision[] | null>(null);
  const [historyFailed, setHistoryFailed] = useState(false);
  const [asking, setAsking] = useState<"verify" | "suspend" | null>(null);
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState("");
  const [problem, setProblem] = useState(NONE);
  const [done, setDone] = useState("");
  const [busy, setBusy] = useState(false);
  const result = useRef<HTMLParagraphElement>(null);
  const path = { params: { path: { doctor_id: props.id } } };

  async function loadDoctor() {
    const answer = await call(api.GET("/api/v1/users/admin/doctors/{doctor_id}", path));
    setLoaded(answer.ok ? { state: "ready", doctor: answer.data } : { state: "failed", message: answer.problem.message });
  }

  async function loadHistory() {
    const answer = await call(api.GET("/api/v1/users/admin/doctors/{doctor_id}/history", path));
    setHistoryFailed(!answer.ok);
    if (answer.ok) setDecisions(answer.data.items);
  }

  useEffect(() => {
    void loadDoctor();
    void loadHistory();
  }, [props.id, lang]);

  useEffect(() => {
    if (done) result.current?.focus();
  }, [done]);

  function ask(action: "verify" | "suspend") {
    setAsking(action);
    setProblem(NONE);
    setReasonError("");
    setDone("");
  }

  async function act(doctor: Doctor) {
    if (asking === null) return;
    setProblem(NONE);
    if (asking === "suspend") {
      const wrong = reasonProblem(reason);
      setReasonError(wrong ? t(`adm_${wrong}` as TextKey, lang) : "");
      if (wrong) return;
    }
    setBusy(true);
    const answer = asking === "verify"
      ? await call(api.POST("/api/v1/users/admin/doctors/{doctor_id}/verify", path))
      : await call(api.POST("/api/v1/users/admin/doctors/{doctor_id}/suspend", { ...path, body: { reason: reason.trim() } }));
    setBusy(false);
    if (!answer.ok) {
      setProblem(answer.problem);
      if (answer.problem.fields.reason) setReasonError(answer.problem.fields.reason);
      // Another administrator may have acted meanwhile: show the status as it is now.
      if (answer.status === 409) {
        void loadDoctor();
        void loadHistory();
      }
      return;
    }
    setAsking(null);
    setReason("");
    setLoaded({ state: "ready", doctor: answer.data });
    const key = answer.data.status === "verified" ? "adm_done_verified" : "adm_done_suspended";
    setDone(t(key, lang, { name: doctor.full_name }));
    void loadHistory();
  }

  const back = (
    <Link href="/admin/doctors" class="back">{t("adm_back", lang)}</Link>
  );
  if (loaded.state === "loading") return <section class="admin">{back}<p class="loading" role="status">…</p></section>;
  if (loaded.state === "failed") {
    return (
      <section class="admin">
        {back}
        <div class="card">
          <Alert>{loaded.message}</Alert>
          <button type="button" onClick={() => void loadDoctor()}>{t("retry", lang)}</button>
        </div>
      </section>
    );
  }
  const doctor = loaded.doctor;
  const missing = t("adm_missing", lang);
  const fieldProblems = Object.entries(problem.fields).filter(([field]) => field !== "reason");
  return (
    <section class="admin">
      {back}
      <div class="card">
        <div class="doctor-head">
          <Photo doctor={doctor} />
          <div>
            <h1>{doctor.full_name}</h1>
            <p class="status" data-status={doctor.status}>{t(`adm_is_${doctor.status}` as TextKey, lang)}</p>
            <p class="muted">{sinceText(doctor)}</p>
          </div>
        </div>
        {doctor.status === "suspended" && doctor.status_reason && (
          <p class="reason">{t("adm_reason_shown", lang, { reason: doctor.status_reason })}</p>
        )}
        <p ref={result} tabIndex={-1} class="done" role="status">{done}</p>
      </div>
      <section class="card" aria-labelledby="adm-details">
        <h2 id="adm-details">{t("adm_details", lang)}</h2>
        <dl class="facts-list">
          <Fact label={t("adm_licence", lang)}>{doctor.licence_number ?? missing}</Fact>
          <Fact label={t("specialty", lang)}>{doctor.specialty?.label ?? missing}</Fact>
          <Fact label={t("adm_languages", lang)}>
            {doctor.languages.length ? doctor.languages.map((each) => each.label).join(", ") : missing}
          </Fact>
          <Fact label={t("adm_facility", lang)}>{doctor.facility ?? missing}</Fact>
          <Fact label={t("city", lang)}>{doctor.city ?? missing}</Fact>
          <Fact label={t("adm_fee", lang)}>{doctor.fee_xof != null ? money(doctor.fee_xof, lang) : missing}</Fact>
          <Fact label={t("adm_phone", lang)}>
            {doctor.phone ? <a href={`tel:${doctor.phone}`}>{doctor.phone}</a> : missing}
          </Fact>
          {doctor.email && <Fact label={t("adm_email", lang)}>{doctor.email}</Fact>}
          <Fact label={t("adm_schedule", lang)}>
            {t(doctor.has_schedule ? "adm_schedule_set" : "adm_schedule_missing", lang)}
          </Fact>
          <Fact label={t("adm_signed_up", lang)}>{bamakoDateTime(doctor.created_at, lang)}</Fact>
          {doctor.verified_at && (
            <Fact label={t("adm_verified_at", lang)}>{bamakoDateTime(doctor.verified_at, lang)}</Fact>
          )}
          <Fact label={t("adm_biography", lang)}>{doctor.biography || missing}</Fact>
        </dl>
      </section>
      <section class="card" aria-label={t("adm_status", lang)}>
        {asking === null && (
          <div class="actions">
            {actionsFor(doctor.status).map((action) => (
              <button key={action} type="button" class={action === "verify" ? "primary" : "danger"}
                onClick={() => ask(action)}>
                {t(action === "verify" ? (doctor.status === "suspended" ? "adm_reinstate" : "adm_verify") : "adm_suspend", lang)}
              </button>
            ))}
          </div>
        )}
        {asking !== null && (
          <form class="confirm" aria-label={t(asking === "verify" ? "adm_verify" : "adm_suspend", lang)}
            onSubmit={(event) => {
              event.preventDefault();
              void act(doctor);
            }}>
            <p>{t(asking === "verify" ? "adm_verify_confirm" : "adm_suspend_confirm", lang, { name: doctor.full_name })}</p>
            {asking === "suspend" && (
              <TextArea label={t("adm_reason", lang)} name="reason" value={reason}
                onInput={(value) => { setReason(value); setReasonError(""); }}
                hint={t("adm_reason_hint", lang)} error={reasonError} maxLength={REASON_MAX + 50} />
            )}
            <button type="submit" class={asking === "verify" ? "primary" : "danger"} disabled={busy}>
              {t(asking === "verify" ? "adm_verify_yes" : "adm_suspend_yes", lang)}
            </button>
            <button type="button" disabled={busy} onClick={() => setAsking(null)}>{t("adm_not_now", lang)}</button>
          </form>
        )}
        <Alert>{problem.message}</Alert>
        {fieldProblems.length > 0 && (
          <div class="alert">
            <p>{t("adm_missing_fields", lang)}</p>
            <ul>
              {fieldProblems.map(([field, message]) => (
                <li key={field}>{FIELD_LABELS[field] ? t(FIELD_LABELS[field], lang) : field} — {message}</li>
              ))}
            </ul>
          </div>
        )}
      </section>
      <History decisions={decisions} failed={historyFailed} />
    </section>
  );
}
