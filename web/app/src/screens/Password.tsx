import { useState } from "preact/hooks";
import { api } from "../api/client";
import { t } from "../i18n";
import { e164 } from "../phone";
import { shown, type Shown } from "../problems";
import { homeOf, navigate } from "../router";
import { session, type Grant } from "../session";
import { Alert, Field } from "../ui";

const NONE: Shown = { message: "", fields: {} };

/** A forgotten password: a code by SMS, then a new password, then signed in. */
export function ResetPassword() {
  const lang = session.language;
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [codeSent, setCodeSent] = useState(false);
  const [problem, setProblem] = useState<Shown>(NONE);

  async function sendCode(event: Event) {
    event.preventDefault();
    const { error } = await api.POST("/api/v1/auth/otp/send", {
      body: { phone: e164(phone), purpose: "reset_password" },
    });
    if (error) return setProblem(shown(error as never, t("error", lang)));
    setProblem(NONE);
    setCodeSent(true);
  }

  async function reset(event: Event) {
    event.preventDefault();
    const number = e164(phone);
    const { error } = await api.POST("/api/v1/auth/password/reset", {
      body: { phone: number, code, new_password: password },
    });
    if (error) return setProblem(shown(error as never, t("error", lang)));
    const login = await api.POST("/api/v1/auth/login", {
      body: { phone: number, password },
    });
    if (login.error || !login.data) return setProblem(shown(login.error as never, t("error", lang)));
    session.start(login.data as Grant);
    sessionStorage.setItem("keneya.phone", number);
    navigate(homeOf(session.role));
  }

  return codeSent ? (
    <form class="card" onSubmit={reset} noValidate>
      <h1>{t("forgot", lang)}</h1>
      <p>{t("code_sent", lang, { phone })}</p>
      <Field label={t("code", lang)} name="code" inputMode="numeric" autocomplete="one-time-code"
        value={code} onInput={setCode} error={problem.fields.code} />
      <Field label={t("new_password", lang)} name="new_password" type="password"
        autocomplete="new-password" value={password} onInput={setPassword}
        error={problem.fields.new_password} />
      <Alert>{problem.message}</Alert>
      <button class="primary" type="submit">{t("set_password", lang)}</button>
    </form>
  ) : (
    <form class="card" onSubmit={sendCode} noValidate>
      <h1>{t("forgot", lang)}</h1>
      <Field label={t("phone", lang)} name="phone" type="tel" inputMode="tel" autocomplete="tel"
        value={phone} onInput={setPhone} error={problem.fields.phone} />
      <Alert>{problem.message}</Alert>
      <button class="primary" type="submit">{t("send_code", lang)}</button>
    </form>
  );
}

/** The account: change the password, sign out here or everywhere. */
export function Account() {
  const lang = session.language;
  const [current, setCurrent] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<Shown>(NONE);
  const [done, setDone] = useState("");

  async function change(event: Event) {
    event.preventDefault();
    const { error } = await api.POST("/api/v1/auth/password/change", {
      body: { current_password: current, new_password: password },
    });
    if (error) return setProblem(shown(error as never, t("error", lang)));
    setProblem(NONE);
    setCurrent("");
    setPassword("");
    setDone(t("password_changed", lang));
  }

  async function everywhere() {
    await api.POST("/api/v1/auth/logout-all");
    session.end();
    navigate("/");
  }

  return (
    <section>
      <form class="card" onSubmit={change} noValidate>
        <h1>{t("account", lang)}</h1>
        <h2>{t("change_password", lang)}</h2>
        <Field label={t("password", lang)} name="current_password" type="password"
          autocomplete="current-password" value={current} onInput={setCurrent}
          error={problem.fields.current_password} />
        <Field label={t("new_password", lang)} name="new_password" type="password"
          autocomplete="new-password" value={password} onInput={setPassword}
          error={problem.fields.new_password} />
        <Alert>{problem.message}</Alert>
        {done && <p role="status">{done}</p>}
        <button class="primary" type="submit">{t("change_password", lang)}</button>
      </form>
      <div class="card">
        <button onClick={() => { session.end(); navigate("/"); }}>{t("sign_out", lang)}</button>
        <button class="danger" onClick={everywhere}>{t("sign_out_everywhere", lang)}</button>
      </div>
    </section>
  );
}
