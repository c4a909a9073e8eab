// The shell: a bar with the language switch and sign-out, and the screen of the current path.
import { useEffect, useState } from "preact/hooks";
import { t } from "./i18n";
import { match, navigate, usePath } from "./router";
import { DoctorPage } from "./screens/Doctor";
import { Consultations } from "./screens/Consultations";
import { Doctors } from "./screens/Doctors";
import { Account, ResetPassword } from "./screens/Password";
import { PaymentPage } from "./screens/Payment";
import { RecordScreen } from "./screens/Record";
import { SignIn } from "./screens/SignIn";
import { SignUp } from "./screens/SignUp";
import { Welcome } from "./screens/Welcome";
import { session } from "./session";

function Screen(props: { path: string }) {
  const { path } = props;
  if (path === "/sign-in") return <SignIn />;
  if (path === "/sign-up") return <SignUp />;
  if (path === "/reset-password") return <ResetPassword />;
  if (!session.signedIn) return <Welcome />;
  if (path === "/doctors" || path === "/") return <Doctors />;
  const doctor = match("/doctors/:id", path);
  if (doctor) return <DoctorPage id={doctor.id} />;
  if (path === "/consultations") return <Consultations />;
  if (path === "/account") return <Account />;
  if (path === "/record" || path.startsWith("/record/")) return <RecordScreen path={path} />;
  const payment = match("/consultations/:id/payment", path) ?? match("/consultations/:id", path);
  if (payment) return <PaymentPage id={payment.id} />;
  return <Doctors />;
}

export function App() {
  const path = usePath();
  const [, rerender] = useState(0);
  const [ready, setReady] = useState(false);
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const changed = () => setOnline(navigator.onLine);
    addEventListener("online", changed);
    addEventListener("offline", changed);
    return () => {
      removeEventListener("online", changed);
      removeEventListener("offline", changed);
    };
  }, []);
  useEffect(() => {
    const unsubscribe = session.subscribe(() => rerender((n) => n + 1));
    // Back from a provider's page, or reloaded: the tab's refresh token signs the person in.
    void session.accessToken().finally(() => setReady(true));
    return unsubscribe;
  }, []);
  const lang = session.language;
  document.documentElement.lang = lang;
  return (
    <>
      <header class="bar">
        <a class="brand" href="/" onClick={(event) => { event.preventDefault(); navigate("/"); }}>
          {t("app", lang)}
        </a>
        <button class="link" onClick={() => {
          session.language = lang === "fr" ? "en" : "fr";
          rerender((n) => n + 1);
        }}>{t("language", lang)}</button>
        {session.signedIn && (
          <a class="link" href="/consultations" onClick={(event) => {
            event.preventDefault();
            navigate("/consultations");
          }}>{t("my_consultations", lang)}</a>
        )}
        {session.signedIn && (
          <a class="link" href="/record" onClick={(event) => {
            event.preventDefault();
            navigate("/record");
          }}>{t("my_record", lang)}</a>
        )}
        {session.signedIn && (
          <a class="link" href="/account" onClick={(event) => {
            event.preventDefault();
            navigate("/account");
          }}>{t("account", lang)}</a>
        )}
      </header>
      {!online && <p class="offline" role="status">{t("offline", lang)}</p>}
      <main>{ready ? <Screen path={path} /> : <p class="loading">…</p>}</main>
    </>
  );
}
