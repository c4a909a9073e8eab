// The shell: a bar with the language switch, the screen of the current path, and the tabs a
// thumb reaches at the bottom of a phone (with the unread notifications' badge, kept live).
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { LANGUAGES, saveLanguage, t, type Language, type TextKey } from "./i18n";
import { lazyScreen } from "./lazy";
import { inbox, notificationsUrl } from "./notifications";
import { homeOf, match, navigate, usePath } from "./router";
import { DoctorPage } from "./screens/Doctor";
import { Consultations } from "./screens/Consultations";
import { Doctors } from "./screens/Doctors";
import { Notifications } from "./screens/Notifications";
import { Account, ResetPassword } from "./screens/Password";
import { PaymentPage } from "./screens/Payment";
import { RecordScreen } from "./screens/Record";
import { SignIn } from "./screens/SignIn";
import { SignUp } from "./screens/SignUp";
import { Welcome } from "./screens/Welcome";
import { session } from "./session";

const CallScreen = lazyScreen(() => import("./screens/Call").then((module) => module.CallScreen));
const DoctorScreens = lazyScreen(() =>
  import("./screens/doctor/index").then((module) => module.DoctorScreens),
);
const AdminScreens = lazyScreen(() =>
  import("./screens/admin/index").then((module) => module.AdminScreens),
);

const TOAST_MS = 6000;

function Screen(props: { path: string }) {
  const { path } = props;
  if (path === "/sign-in") return <SignIn />;
  if (path === "/sign-up") return <SignUp />;
  if (path === "/sign-up/doctor") return <SignUp role="doctor" />;
  if (path === "/reset-password") return <ResetPassword />;
  if (!session.signedIn) return <Welcome />;
  const role = session.role;
  if (path === "/") return <Screen path={homeOf(role)} />;
  // Deny by default: each role's screens only to that role (the API refuses the rest anyway).
  if (path === "/doctor" || path.startsWith("/doctor/")) {
    return role === "doctor" ? <DoctorScreens path={path} /> : <NotForYou />;
  }
  if (path === "/admin" || path.startsWith("/admin/")) {
    return role === "admin" ? <AdminScreens path={path} /> : <NotForYou />;
  }
  if (path === "/doctors") return <Doctors />;
  const doctor = match("/doctors/:id", path);
  if (doctor) return <DoctorPage id={doctor.id} />;
  if (path === "/consultations") return <Consultations />;
  if (path === "/account") return <Account />;
  if (path === "/notifications") return <Notifications />;
  if (path === "/record" || path.startsWith("/record/")) return <RecordScreen path={path} />;
  const call = match("/consultations/:id/call", path);
  if (call) return <CallScreen id={call.id} />;
  const payment = match("/consultations/:id/payment", path) ?? match("/consultations/:id", path);
  if (payment) return <PaymentPage id={payment.id} />;
  return <Screen path={homeOf(role)} />;
}

function NotForYou() {
  return <p class="alert" role="alert">{t("not_for_you", session.language)}</p>;
}

/** The tabs of each role: what a patient, a doctor or an administrator comes back to. */
const TABS: Record<string, [string, TextKey][]> = {
  patient: [["/doctors", "nav_doctors"], ["/consultations", "nav_consultations"], ["/record", "nav_record"]],
  doctor: [["/doctor/agenda", "nav_agenda"], ["/doctor/availability", "nav_availability"], ["/doctor/profile", "nav_profile"]],
  admin: [["/admin/doctors", "nav_review"], ["/admin/refunds", "nav_refunds"]],
};

function Tab(props: { href: string; label: TextKey; path: string; children?: ComponentChildren }) {
  const current = props.path === props.href || props.path.startsWith(`${props.href}/`);
  return (
    <a href={props.href} aria-current={current ? "page" : undefined} onClick={(event) => {
      event.preventDefault();
      navigate(props.href);
    }}>
      {t(props.label, session.language)}
      {props.children}
    </a>
  );
}

/** The latest notification that arrived live, for a few seconds. */
function Toast() {
  const notice = inbox.state.arrived;
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => inbox.dismissArrived(), TOAST_MS);
    return () => clearTimeout(timer);
  }, [notice?.id]);
  if (!notice) return null;
  return (
    <div class="toast">
      <strong>{notice.title}</strong>
      <span>{notice.body}</span>
      <button class="link" onClick={() => inbox.dismissArrived()}>{t("dismiss", session.language)}</button>
    </div>
  );
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
    const unheard = inbox.subscribe(() => rerender((n) => n + 1));
    // Back from a provider's page, or reloaded: the tab's refresh token signs the person in.
    void session.accessToken().finally(() => setReady(true));
    return () => {
      unsubscribe();
      unheard();
    };
  }, []);
  const signedIn = session.signedIn;
  useEffect(() => {
    if (ready && signedIn) inbox.start(notificationsUrl);
    if (!signedIn) inbox.stop();
  }, [ready, signedIn]);
  const lang = session.language;
  document.documentElement.lang = lang;
  const unread = inbox.state.unread;
  return (
    <>
      <header class="bar">
        <a class="brand" href="/" onClick={(event) => { event.preventDefault(); navigate("/"); }}>
          {t("app", lang)}
        </a>
        <label class="language">
          <span class="visually-hidden">{t("language", lang)}</span>
          <select value={lang} onChange={(event) => {
            session.language = (event.target as HTMLSelectElement).value as Language;
            saveLanguage(localStorage, session.language);
            rerender((n) => n + 1);
          }}>
            {LANGUAGES.map((language) => (
              <option key={language.code} value={language.code} lang={language.code}>{language.name}</option>
            ))}
          </select>
        </label>
      </header>
      {!online && <p class="offline" role="status">{t("offline", lang)}</p>}
      <main>{ready ? <Screen path={path} /> : <p class="loading">…</p>}</main>
      <div class="toasts" role="status" aria-live="polite">{signedIn && <Toast />}</div>
      {signedIn && (
        <nav class="tabs" aria-label={t("app", lang)}>
          {(TABS[session.role ?? "patient"] ?? TABS.patient).map(([href, label]) => (
            <Tab key={href} href={href} label={label} path={path} />
          ))}
          <Tab href="/notifications" label="nav_notifications" path={path}>
            {unread > 0 && (
              <span class="badge" aria-label={t("unread_count", lang, { count: unread })}>
                {unread > 99 ? "99+" : unread}
              </span>
            )}
          </Tab>
          <Tab href="/account" label="nav_account" path={path} />
        </nav>
      )}
    </>
  );
}
