import { t } from "../i18n";
import { navigate } from "../router";
import { session } from "../session";

export function Welcome() {
  const lang = session.language;
  return (
    <section class="card">
      <h1>{t("tagline", lang)}</h1>
      <div class="actions">
        <button class="primary" onClick={() => navigate("/sign-up")}>
          {t("sign_up", lang)}
        </button>
        <button onClick={() => navigate("/sign-in")}>{t("sign_in", lang)}</button>
      </div>
      <p>
        <a href="/sign-up/doctor" onClick={(event) => {
          event.preventDefault();
          navigate("/sign-up/doctor");
        }}>{t("doctor_sign_up_link", lang)}</a>
      </p>
    </section>
  );
}
