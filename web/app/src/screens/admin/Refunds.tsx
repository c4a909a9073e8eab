// The refunds a provider cannot pay by API (Orange Money): the administrator sends each from the
// merchant account, then marks it paid with the provider's reference; it leaves the list.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { bamakoDateTime, money } from "../../format";
import { session } from "../../session";
import { t, type TextKey } from "../../texts/admin";
import { Alert, Field } from "../../ui";
import { call, NONE } from "./parts";
import { referenceOf, withoutRefund } from "./review";

type Refund = components["schemas"]["payments.QueuedRefund"];

/** The payers' names (administrators may read patients' profiles); a number when unknown. */
function usePayers(refunds: Refund[] | null): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    const wanted = [...new Set((refunds ?? []).map((refund) => refund.payer_id))].filter((id) => !(id in names));
    if (!wanted.length) return;
    void Promise.all(wanted.map(async (id) => {
      const answer = await call(api.GET("/api/v1/users/patients/{patient_id}", { params: { path: { patient_id: id } } }));
      const name = answer.ok ? (answer.data as { full_name?: string }).full_name : undefined;
      return [id, name] as const;
    })).then((found) => {
      const known = found.filter((entry): entry is readonly [string, string] => Boolean(entry[1]));
      if (known.length) setNames((before) => ({ ...before, ...Object.fromEntries(known) }));
    });
  }, [refunds]);
  return names;
}

export function Refunds() {
  const lang = session.language;
  const [refunds, setRefunds] = useState<Refund[] | null>(null);
  const [failed, setFailed] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const [reference, setReference] = useState("");
  const [problem, setProblem] = useState(NONE);
  const [done, setDone] = useState("");
  const [busy, setBusy] = useState(false);
  const result = useRef<HTMLParagraphElement>(null);
  const payers = usePayers(refunds);

  async function load() {
    const answer = await call(api.GET("/api/v1/payments/refunds"));
    if (answer.ok) {
      setFailed("");
      setRefunds(answer.data.items);
    } else {
      setFailed(answer.problem.message);
      setRefunds((before) => before ?? []);
    }
  }

  useEffect(() => {
    void load();
  }, []);

  useEffect(() => {
    if (done) result.current?.focus();
  }, [done]);

  function start(paymentId: string) {
    setOpen(paymentId);
    setReference("");
    setProblem(NONE);
    setDone("");
  }

  async function markPaid(refund: Refund) {
    const sent = referenceOf(reference);
    if (sent === null) {
      return setProblem({ message: "", fields: { reference: t("adm_reference_required", lang) } });
    }
    setBusy(true);
    const answer = await call(api.POST("/api/v1/payments/refunds/{payment_id}/paid", {
      params: { path: { payment_id: refund.payment_id } },
      body: { reference: sent },
    }));
    setBusy(false);
    if (!answer.ok) {
      setProblem(answer.problem);
      // Paid meanwhile by another administrator: the list as it is now.
      if (answer.status === 409 || answer.status === 404) void load();
      return;
    }
    setOpen(null);
    setRefunds((before) => withoutRefund(before ?? [], refund.payment_id));
    setDone(t("adm_paid_done", lang, {
      amount: money(refund.amount_xof, lang), phone: refund.payer_phone, reference: sent,
    }));
  }

  return (
    <section class="admin">
      <h1>{t("adm_refunds", lang)}</h1>
      <p class="hint">{t("adm_refunds_hint", lang)}</p>
      <p ref={result} tabIndex={-1} class="done" role="status">{done}</p>
      <Alert>{failed}</Alert>
      {failed && <button type="button" onClick={() => void load()}>{t("retry", lang)}</button>}
      {refunds === null && <p class="loading" role="status">…</p>}
      {refunds?.length === 0 && !failed && <p>{t("adm_no_refund", lang)}</p>}
      <ul class="list">
        {refunds?.map((refund) => (
          <li key={refund.payment_id} class="card refund-due" data-payment={refund.payment_id}>
            <p class="amount">{money(refund.amount_xof, lang)}</p>
            <p>
              {t("adm_refund_to", lang, { who: payers[refund.payer_id] ?? refund.payer_phone })}
              {" · "}
              <a href={`tel:${refund.payer_phone}`}>{refund.payer_phone}</a>
            </p>
            <p>{t("adm_refund_via", lang, { provider: t(`adm_provider_${refund.provider}` as TextKey, lang) })}</p>
            <p class="muted">{t("adm_queued_at", lang, { when: bamakoDateTime(refund.queued_at, lang) })}</p>
            <p class="muted id">{t("adm_consultation", lang, { id: refund.consultation_id })}</p>
            {open !== refund.payment_id && (
              <button type="button" class="primary" onClick={() => start(refund.payment_id)}>
                {t("adm_mark_paid", lang)}
              </button>
            )}
            {open === refund.payment_id && (
              <form class="confirm" aria-label={t("adm_mark_paid", lang)} onSubmit={(event) => {
                event.preventDefault();
                void markPaid(refund);
              }}>
                <p class="hint">{t("adm_reference_hint", lang)}</p>
                <Field label={t("adm_reference", lang)} name="reference" value={reference}
                  onInput={(value) => { setReference(value); setProblem(NONE); }} error={problem.fields.reference} />
                <button type="submit" class="primary" disabled={busy}>{t("adm_paid_yes", lang)}</button>
                <button type="button" disabled={busy} onClick={() => setOpen(null)}>{t("adm_not_now", lang)}</button>
                <Alert>{problem.message}</Alert>
              </form>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
