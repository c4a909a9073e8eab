import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { bamakoDateTime, money } from "../format";
import { t, type TextKey } from "../i18n";
import { navigate } from "../router";
import { session } from "../session";

type Item = { id: string; status: string; starts_at: string; doctor_name?: string | null;
  fee_xof: number };

const OPEN = ["pending_payment", "confirmed", "in_progress"];

/** Upcoming consultations first (soonest first), then past ones (latest first). */
export function Consultations() {
  const lang = session.language;
  const [items, setItems] = useState<Item[] | null>(null);

  useEffect(() => {
    void api.GET("/api/v1/consultations", { params: { query: { limit: 50 } } }).then(({ data }) => {
      setItems((data?.items as Item[] | undefined) ?? []);
    });
  }, []);

  if (items === null) return <p class="loading">…</p>;
  const upcoming = items.filter((i) => OPEN.includes(i.status))
    .sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  const past = items.filter((i) => !OPEN.includes(i.status))
    .sort((a, b) => b.starts_at.localeCompare(a.starts_at));
  return (
    <section>
      <h1>{t("my_consultations", lang)}</h1>
      {[["upcoming", upcoming], ["past", past]].map(([title, list]) => (
        <section key={title as string} aria-labelledby={`${title}-title`}>
          <h2 id={`${title}-title`}>{t(title as TextKey, lang)}</h2>
          {(list as Item[]).length === 0 && <p>{t("none", lang)}</p>}
          <ul class="list">
            {(list as Item[]).map((item) => (
              <li key={item.id}>
                <a class="card doctor" href={`/consultations/${item.id}/payment`} onClick={(e) => {
                  e.preventDefault();
                  navigate(`/consultations/${item.id}/payment`);
                }}>
                  <strong>{item.doctor_name ?? ""}</strong>
                  <span>{bamakoDateTime(item.starts_at, lang)} · {money(item.fee_xof, lang)}</span>
                  <span class="status" data-status={item.status}>
                    {t(`status_${item.status}` as TextKey, lang)}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
}
