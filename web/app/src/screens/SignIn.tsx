import { useState } from "preact/hooks";
import { api } from "../api/client";
import { t } from "../i18n";
import { shown, type Shown } from "../problems";
import { homeOf, navigate } from "../router";
import { session, type Grant } from "../session";
import { Alert, Field } from "../ui";

export function SignIn() {
  const lang = session.language;
  const [phone, setPhone] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<Shown>({ message: "", fields: {} });

  async function submit(event: Event) {
    event.preventDefault();
    const { data, error } = await api.POST("/api/v1/auth/login", {
      body: { phone, password },
    });
    if (error || !data) {
      setProblem(shown(error as never, t("error", lang)));
      return;
    }
    session.start(data as Grant);
    // The mobile-money number a payment suggests: usually the one the person signed in with.
    sessionStorage.setItem("keneya.phone", phone);
    navigate(homeOf(session.role));
  }

  return (
    <form class="card" onSubmit={submit} noValidate>
      <h1>{t("sign_in", lang)}</h1>
      <Field label={t("phone", lang)} name="phone" type="tel" inputMode="tel" autocomplete="tel"
        value={phone} onInput={setPhone} error={problem.fields.phone} />
      <Field label={t("password", lang)} name="password" type="password"
        autocomplete="current-password" value={password} onInput={setPassword}
        error={problem.fields.password} />
      <Alert>{problem.message}</Alert>
      <button class="primary" type="submit">{t("sign_in", lang)}</button>
      <p>
        <a href="/reset-password" onClick={(event) => {
          event.preventDefault();
          navigate("/reset-password");
        }}>{t("forgot", lang)}</a>
      </p>
    </form>
  );
}
