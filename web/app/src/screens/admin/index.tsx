// The administrators' screens, one per path under /admin (fetched when first opened).
import { t } from "../../texts/admin";
import { session } from "../../session";

export function AdminScreens(props: { path: string }) {
  return (
    <section data-path={props.path}>
      <h1>{t("nav_review", session.language)}</h1>
    </section>
  );
}
