// The review queue: doctors by status (pending first: longest waiting first), a page at a time,
// each a card that opens the doctor's whole file.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { bamakoDateTime } from "../../format";
import { session } from "../../session";
import { t, type TextKey } from "../../texts/admin";
import { Alert } from "../../ui";
import { Link } from "../../ui";
import { call } from "./parts";
import { isStatus, STATUSES, type ReviewStatus } from "./review";

export type Doctor = components["schemas"]["users.DoctorProfile"];

const PAGE = 20;
// The status last looked at, so the way back from a doctor lands on the same list.
let lastStatus: ReviewStatus = "pending";

/** Since when the doctor has their status, in words. */
export function sinceText(doctor: Doctor): string {
  const lang = session.language;
  const when = doctor.status_changed_at ?? (doctor.status === "verified" ? doctor.verified_at : null)
    ?? doctor.created_at;
  return t(`adm_since_${doctor.status}` as TextKey, lang, { when: bamakoDateTime(when, lang) });
}

export function ReviewQueue() {
  const lang = session.language;
  const asked = new URLSearchParams(location.search).get("status");
  const [status, setStatus] = useState<ReviewStatus>(isStatus(asked) ? asked : lastStatus);
  const [doctors, setDoctors] = useState<Doctor[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState("");
  const [loading, setLoading] = useState(false);

  async function load(cursor?: string | null) {
    setProblem("");
    setLoading(true);
    const answer = await call(api.GET("/api/v1/users/admin/doctors", {
      params: { query: { status, limit: PAGE, ...(cursor ? { cursor } : {}) } },
    }));
    setLoading(false);
    if (!answer.ok) {
      if (!cursor) setDoctors((before) => before ?? []);
      return setProblem(answer.problem.message);
    }
    const found = answer.data.items ?? [];
    setDoctors((before) => (cursor ? [...(before ?? []), ...found] : found));
    setNext(answer.data.next_cursor ?? null);
  }

  useEffect(() => {
    lastStatus = status;
    setDoctors(null);
    setNext(null);
    void load();
  }, [status, lang]);

  function choose(chosen: ReviewStatus) {
    history.replaceState(null, "", `/admin/doctors?status=${chosen}`);
    setStatus(chosen);
  }

  return (
    <section class="admin">
      <h1>{t("adm_queue", lang)}</h1>
      <div class="switch" role="group" aria-label={t("adm_status", lang)}>
        {STATUSES.map((each) => (
          <button key={each} type="button" aria-pressed={each === status ? "true" : "false"}
            onClick={() => choose(each)}>
            {t(`adm_status_${each}` as TextKey, lang)}
          </button>
        ))}
      </div>
      <Alert>{problem}</Alert>
      {doctors === null && <p class="loading" role="status">…</p>}
      {doctors?.length === 0 && !problem && <p>{t(`adm_none_${status}` as TextKey, lang)}</p>}
      <ul class="list" aria-live="polite">
        {doctors?.map((doctor) => (
          <li key={doctor.id}>
            <Link href={`/admin/doctors/${doctor.id}`} class="card doctor">
              <strong>{doctor.full_name}</strong>
              <span>
                {doctor.specialty?.label ?? t("adm_no_specialty", lang)}
                {doctor.city ? ` · ${doctor.city}` : ""}
              </span>
              <span class="muted">{sinceText(doctor)}</span>
            </Link>
          </li>
        ))}
      </ul>
      {next && (
        <button type="button" disabled={loading} onClick={() => void load(next)}>{t("adm_more", lang)}</button>
      )}
    </section>
  );
}
