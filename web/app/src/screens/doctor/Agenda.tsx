// The doctor's agenda: today and the days ahead, kept up to date as notifications arrive (a
// booking, a cancellation, the patient coming into the call), with what to do next.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import { agenda, canStart, waiting, type AgendaItem } from "../../agenda";
import { bamakoDateTime, bamakoTime } from "../../format";
import { inbox } from "../../notifications";
import { session } from "../../session";
import { t, type TextKey } from "../../texts/doctor";
import { Link } from "../../ui";
import { usePatientNames } from "./names";

// A safety net under the notifications socket: the list is read again now and then.
const REFRESH_MS = 60_000;

export function Agenda() {
  const lang = session.language;
  const [items, setItems] = useState<AgendaItem[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [now, setNow] = useState(Date.now());

  async function load() {
    const { data } = await api.GET("/api/v1/consultations", {
      params: { query: { status: "confirmed,in_progress", limit: 100, order: "asc" } },
    }).catch(() => ({ data: undefined }));
    setNow(Date.now());
    if (!data) return setFailed(true);
    setFailed(false);
    setItems(data.items as AgendaItem[]);
  }

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    // Every notification about a consultation (booked, cancelled, the patient in the call):
    // the agenda is read again at once.
    let newest = inbox.state.items[0]?.id;
    const unsubscribe = inbox.subscribe(() => {
      const latest = inbox.state.items[0];
      if (latest && latest.id !== newest) {
        newest = latest.id;
        if (latest.link?.consultation_id) void load();
      }
    });
    return () => {
      clearInterval(timer);
      unsubscribe();
    };
  }, []);

  const names = usePatientNames((items ?? []).map((item) => item.patient_id));
  if (items === null) return failed ? <p class="alert" role="alert">{t("load_failed", lang)}</p> : <p class="loading" role="status">…</p>;
  const { today, later } = agenda(items, now);

  function Row(props: { item: AgendaItem; day: boolean }) {
    const { item } = props;
    return (
      <li>
        <Link href={`/doctor/consultations/${item.id}`} class={`card agenda-item${waiting(item) ? " waiting" : ""}`}>
          <strong>{props.day ? bamakoTime(item.starts_at) : bamakoDateTime(item.starts_at, lang)}</strong>
          <span>{names[item.patient_id] ?? "…"}</span>
          {item.reason && <span class="muted">{item.reason}</span>}
          <span class="status" data-status={item.status}>{t(`status_${item.status}` as TextKey, lang)}</span>
          {waiting(item) && <span class="arrived" role="status">{t("doc_patient_waiting", lang)}</span>}
          {canStart(item, now) && !waiting(item) && item.status === "confirmed" && (
            <span class="due">{t("doc_can_start", lang)}</span>
          )}
        </Link>
      </li>
    );
  }

  return (
    <section class="agenda">
      <h1>{t("nav_agenda", lang)}</h1>
      {failed && <p class="alert" role="alert">{t("load_failed", lang)}</p>}
      <h2>{t("doc_today", lang)}</h2>
      {today.length === 0 ? <p>{t("doc_nothing_today", lang)}</p> : (
        <ul class="list" aria-live="polite">{today.map((item) => <Row key={item.id} item={item} day />)}</ul>
      )}
      <h2>{t("doc_upcoming", lang)}</h2>
      {later.length === 0 ? <p>{t("none", lang)}</p> : (
        <ul class="list">{later.map((item) => <Row key={item.id} item={item} day={false} />)}</ul>
      )}
      <p class="actions">
        <Link href="/doctor/encounters" class="button">{t("doc_encounters", lang)}</Link>
        <Link href="/doctor/earnings" class="button">{t("nav_earnings", lang)}</Link>
      </p>
    </section>
  );
}
