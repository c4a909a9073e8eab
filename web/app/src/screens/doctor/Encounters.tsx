// What the doctor wrote: their completed consultations, newest first, with each summary.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import { bamakoDateTime } from "../../format";
import { session } from "../../session";
import { t } from "../../texts/doctor";
import { Link } from "../../ui";
import { usePatientNames } from "./names";

type Done = { id: string; patient_id: string; starts_at: string; reason: string;
  summary?: { diagnoses?: { code: string; label: string }[]; prescriptions?: { medicine: string }[] } | null };

export function WrittenEncounters() {
  const lang = session.language;
  const [items, setItems] = useState<Done[] | null>(null);
  const [next, setNext] = useState<string | null>(null);

  async function load(cursor?: string) {
    const { data } = await api.GET("/api/v1/consultations", {
      params: { query: { status: "completed", order: "desc", limit: 20, ...(cursor ? { cursor } : {}) } },
    });
    const found = (data?.items as Done[] | undefined) ?? [];
    setItems((before) => (cursor ? [...(before ?? []), ...found] : found));
    setNext((data as { next_cursor?: string | null } | undefined)?.next_cursor ?? null);
  }

  useEffect(() => void load(), []);
  const names = usePatientNames((items ?? []).map((item) => item.patient_id));
  return (
    <section>
      <p><Link href="/doctor/agenda">{t("doc_back_to_agenda", lang)}</Link></p>
      <h1>{t("doc_encounters", lang)}</h1>
      {items === null && <p class="loading" role="status">…</p>}
      {items?.length === 0 && <p>{t("none", lang)}</p>}
      <ul class="list">
        {items?.map((item) => (
          <li key={item.id}>
            <Link href={`/doctor/consultations/${item.id}`} class="card encounter">
              <strong>{names[item.patient_id] ?? "…"}</strong>
              <span>{bamakoDateTime(item.starts_at, lang)}</span>
              <span>{(item.summary?.diagnoses ?? []).map((d) => `${d.label} (${d.code})`).join(", ")}</span>
              {(item.summary?.prescriptions ?? []).length > 0 && (
                <span class="muted">{(item.summary?.prescriptions ?? []).map((p) => p.medicine).join(", ")}</span>
              )}
            </Link>
          </li>
        ))}
      </ul>
      {next && <button onClick={() => void load(next)}>{t("more", lang)}</button>}
    </section>
  );
}
