import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { bamakoDateTime, countdown, money } from "../format";
import { t, type TextKey } from "../i18n";
import { canJoinCall, refundOf, step, type IntentState, type Refund, type RefundState } from "../payment";
import { e164 } from "../phone";
import { shown } from "../problems";
import { navigate } from "../router";
import { session } from "../session";
import { Alert } from "../ui";

type Consultation = { id: string; status: string; starts_at: string; fee_xof: number;
  doctor_name?: string | null; payment_due_at?: string | null; refund_until?: string | null;
  cancellation?: { refund_due: boolean; reason?: string | null } | null };

const CANCELLABLE = ["pending_payment", "confirmed"];

const POLL_MS = 2000;
const PAYMENT_READY_WAITS_MS = [500, 1000, 2000, 3000, 4000];

/** The booking until it is paid: choose the provider, pay, and watch it become confirmed. */
export function PaymentPage(props: { id: string }) {
  const lang = session.language;
  const [consultation, setConsultation] = useState<Consultation | null>(null);
  const [intent, setIntent] = useState<(IntentState & { id: string }) | null>(null);
  const [refund, setRefund] = useState<Refund | null>(null);
  const [now, setNow] = useState(Date.now());
  const [problem, setProblem] = useState("");
  const [cancelling, setCancelling] = useState(false);
  const [preparing, setPreparing] = useState(false);

  async function refresh() {
    const found = await api.GET("/api/v1/consultations/{consultation_id}", {
      params: { path: { consultation_id: props.id } },
    });
    if (found.data) setConsultation(found.data as Consultation);
    const mine = await api.GET("/api/v1/payments");
    const ours = (mine.data?.items ?? []).filter((i) => i.consultation_id === props.id);
    const latest = ours[ours.length - 1];
    setRefund(refundOf(ours as RefundState[]));
    setIntent((latest as (IntentState & { id: string }) | undefined) ?? null);
  }

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => {
      setNow(Date.now());
      void refresh();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [props.id]);

  function startPayment(provider: "orange_money" | "moov_money") {
    return api.POST("/api/v1/payments", {
      body: { consultation_id: props.id, provider, phone: phoneOfSession(), language: lang === "en" ? "en" : "fr" },
      headers: { "Idempotency-Key": `pay-${props.id}-${provider}` },
    });
  }

  async function pay(provider: "orange_money" | "moov_money") {
    setProblem("");
    setPreparing(true);
    let answer = await startPayment(provider);
    // Just booked: the payments service hears of the booking a moment later (an event). The
    // same Idempotency-Key makes asking again safe.
    for (const wait of PAYMENT_READY_WAITS_MS) {
      if (answer.response.status !== 404) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
      answer = await startPayment(provider);
    }
    setPreparing(false);
    const { data, error } = answer;
    if (error || !data) return setProblem(shown(error as never, t("error", lang)).message);
    setIntent(data as IntentState & { id: string });
    if (data.next_action?.type === "redirect" && data.next_action.url) {
      location.assign(data.next_action.url);
    }
  }

  async function cancel() {
    const { data, error } = await api.POST("/api/v1/consultations/{consultation_id}/cancel", {
      params: { path: { consultation_id: props.id } },
      body: {},
    });
    if (error || !data) return setProblem(shown(error as never, t("error", lang)).message);
    setCancelling(false);
    setConsultation(data as Consultation);
  }

  if (!consultation) return <p class="loading">…</p>;
  const current = step(consultation, intent);
  const due = "dueAt" in current && current.dueAt ? countdown(current.dueAt, now) : null;
  return (
    <section class="card" aria-live="polite">
      <h1>{t("consultation", lang)}</h1>
      <p>
        {consultation.doctor_name ?? ""} · {bamakoDateTime(consultation.starts_at, lang)} ·{" "}
        {money(consultation.fee_xof, lang)}
      </p>
      <p class="status" data-status={consultation.status}>
        {t(`status_${consultation.status}` as TextKey, lang)}
      </p>
      {canJoinCall(consultation, now) && (
        <a class="button primary" href={`/consultations/${props.id}/call`} onClick={(event) => {
          event.preventDefault();
          navigate(`/consultations/${props.id}/call`);
        }}>{t("join_call", lang)}</a>
      )}
      {due && <p class="due">{t("pay_within", lang, { time: due })}</p>}
      {current.kind === "choose_provider" && (
        <div class="actions">
          <span>{t("pay_with", lang)}</span>
          <button class="primary" disabled={preparing} onClick={() => pay("orange_money")}>{t("orange_money", lang)}</button>
          <button class="primary" disabled={preparing} onClick={() => pay("moov_money")}>{t("moov_money", lang)}</button>
          {preparing && <span role="status">{t("preparing_payment", lang)}</span>}
        </div>
      )}
      {current.kind === "open_provider_page" && (
        <a class="button primary" href={current.url}>{t("orange_money", lang)}</a>
      )}
      {current.kind === "confirm_on_phone" && <p>{t("confirm_on_phone", lang)}</p>}
      {consultation.cancellation?.reason === "doctor_suspended" && <p>{t("cancelled_doctor_suspended", lang)}</p>}
      {consultation.cancellation && (
        <p class="refund">
          {refund?.kind === "sent" && refund.at
            ? t(refund.reference ? "refund_sent" : "refund_sent_unreferenced", lang, {
              amount: money(refund.amountXof, lang), when: bamakoDateTime(refund.at, lang), reference: refund.reference ?? "",
            })
            : consultation.cancellation.refund_due
              ? t("refunded", lang, { amount: money(consultation.fee_xof, lang) })
              : t("not_refunded", lang)}
        </p>
      )}
      {CANCELLABLE.includes(consultation.status) && !cancelling && (
        <button onClick={() => setCancelling(true)}>{t("cancel", lang)}</button>
      )}
      {cancelling && (
        <div class="confirm" role="group" aria-label={t("cancel", lang)}>
          <p>
            {consultation.refund_until
              ? new Date(consultation.refund_until).getTime() > now
                ? t("refund_rule", lang, { until: bamakoDateTime(consultation.refund_until, lang) })
                : t("refund_too_late", lang)
              : t("nothing_paid", lang)}
          </p>
          <button class="danger" onClick={cancel}>{t("confirm_cancel", lang)}</button>
          <button onClick={() => setCancelling(false)}>{t("keep", lang)}</button>
        </div>
      )}
      <Alert>{problem}</Alert>
    </section>
  );
}

/** The payer's number: the one the person signed in with (kept by the sign-in screens). */
function phoneOfSession(): string {
  return e164(sessionStorage.getItem("keneya.phone") ?? "");
}
