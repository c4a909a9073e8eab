import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { t } from "../i18n";
import { shown, type Shown } from "../problems";
import { homeOf, navigate } from "../router";
import { session, type Grant } from "../session";
import { Alert, Field } from "../ui";

const NONE: Shown = { message: "", fields: {} };

/** Name, phone and password; then the code sent by SMS; then signed in: a patient finds a
 * doctor, a doctor completes their profile for review. */
export function SignUp(props: { role?: "patient" | "doctor" }) {
  const role = props.role ?? "patient";
  const lang = session.language;
  const [fullName, setFullName] = useState("");
  const [phone, setPhone] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [codeSent, setCodeSent] = useState(false);
  const [resendIn, setResendIn] = useState(0);
  const [problem, setProblem] = useState<Shown>(NONE);

  useEffect(() => {
    if (resendIn <= 0) return;
    const timer = setTimeout(() => setResendIn(resendIn - 1), 1000);
    return () => clearTimeout(timer);
  }, [resendIn]);

  async function sendCode() {
    const { data, error } = await api.POST("/api/v1/auth/otp/send", {
      body: { phone, purpose: "verify_phone" },
    });
    if (error || !data) return setProblem(shown(error as never, t("error", lang)));
    setProblem(NONE);
    setCodeSent(true);
    setResendIn(data.resend_after);
  }

  async function register(event: Event) {
    event.preventDefault();
    const { error } = await api.POST("/api/v1/auth/register", {
      body: { role, full_name: fullName, phone, password, language: lang },
    });
    if (error) return setProblem(shown(error as never, t("error", lang)));
    await sendCode();
  }

  async function verify(event: Event) {
    event.preventDefault();
    const { error } = await api.POST("/api/v1/auth/otp/verify", {
      body: { phone, code, purpose: "verify_phone" },
    });
    if (error) return setProblem(shown(error as never, t("error", lang)));
    const login = await api.POST("/api/v1/auth/login", { body: { phone, password } });
    if (login.error || !login.data) return setProblem(shown(login.error as never, t("error", lang)));
    session.start(login.data as Grant);
    // The mobile-money number a payment suggests: usually the one the person signed in with.
    sessionStorage.setItem("keneya.phone", phone);
    navigate(role === "doctor" ? "/doctor/profile" : homeOf(session.role));
  }

  if (codeSent) {
    return (
      <form class="card" onSubmit={verify} noValidate>
        <h1>{t("verify", lang)}</h1>
        <p>{t("code_sent", lang, { phone })}</p>
        <Field label={t("code", lang)} name="code" inputMode="numeric"
          autocomplete="one-time-code" value={code} onInput={setCode} error={problem.fields.code} />
        <Alert>{problem.message}</Alert>
        <button class="primary" type="submit">{t("verify", lang)}</button>
        <button type="button" disabled={resendIn > 0} onClick={sendCode}>
          {resendIn > 0 ? t("resend_in", lang, { seconds: resendIn }) : t("resend", lang)}
        </button>
      </form>
    );
  }
  return (
    <form class="card" onSubmit={register} noValidate>
      <h1>{t(role === "doctor" ? "sign_up_doctor" : "sign_up", lang)}</h1>
      <Field label={t("full_name", lang)} name="full_name" autocomplete="name" value={fullName}
        onInput={setFullName} error={problem.fields.full_name} />
      <Field label={t("phone", lang)} name="phone" type="tel" inputMode="tel" autocomplete="tel"
        value={phone} onInput={setPhone} error={problem.fields.phone} />
      <Field label={t("password", lang)} name="password" type="password"
        autocomplete="new-password" value={password} onInput={setPassword}
        error={problem.fields.password} />
      <Alert>{problem.message}</Alert>
      <button class="primary" type="submit">{t("sign_up", lang)}</button>
    </form>
  );
}
