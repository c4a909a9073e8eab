// What the doctor earned, month by month (Bamako months), in FCFA: paid, refunded, net.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import { money } from "../../format";
import { session } from "../../session";
import { t } from "../../texts/doctor";
import { Link } from "../../ui";

type Period = { period: string; earned_xof: number; refunded_xof: number; net_xof: number; payments: number };

/** "2026-11" as the month's name: "novembre 2026". */
export function monthName(period: string, language: string): string {
  const [year, month] = period.split("-").map(Number);
  if (!year || !month) return period;
  return new Intl.DateTimeFormat(language === "en" ? "en-GB" : "fr-FR", { month: "long", year: "numeric", timeZone: "UTC" })
    .format(new Date(Date.UTC(year, month - 1, 15)));
}

export function Earnings() {
  const lang = session.language;
  const [totals, setTotals] = useState<{ totals: Period[]; net_xof: number } | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    void api.GET("/api/v1/payments/earnings", { params: { query: { period: "month" } } })
      .then(({ data }) => (data ? setTotals(data as { totals: Period[]; net_xof: number }) : setFailed(true)))
      .catch(() => setFailed(true));
  }, []);

  return (
    <section>
      <p><Link href="/doctor/agenda">{t("doc_back_to_agenda", lang)}</Link></p>
      <h1>{t("nav_earnings", lang)}</h1>
      {failed && <p class="alert" role="alert">{t("load_failed", lang)}</p>}
      {!totals && !failed && <p class="loading" role="status">…</p>}
      {totals && (
        <>
          <p class="card">{t("doc_net_total", lang)} : <strong>{money(totals.net_xof, lang)}</strong></p>
          {totals.totals.length === 0 ? <p>{t("none", lang)}</p> : (
            <table class="earnings">
              <caption class="visually-hidden">{t("nav_earnings", lang)}</caption>
              <thead><tr>
                <th scope="col">{t("doc_month", lang)}</th>
                <th scope="col">{t("doc_consultations_paid", lang)}</th>
                <th scope="col">{t("doc_net", lang)}</th>
              </tr></thead>
              <tbody>
                {[...totals.totals].sort((a, b) => b.period.localeCompare(a.period)).map((p) => (
                  <tr key={p.period}>
                    <th scope="row">{monthName(p.period, lang)}</th>
                    <td>{p.payments}</td>
                    <td>{money(p.net_xof, lang)}{p.refunded_xof > 0 && <small> ({t("doc_refunded", lang)} {money(p.refunded_xof, lang)})</small>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
