// The patient's record: its screens are a chunk of their own (screens/record/), loaded when the
// person opens it, so that the first screen of the app stays small on a weak network.
import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n";
import { session } from "../session";

type Screens = FunctionComponent<{ path: string }>;
let loaded: Screens | null = null;

export function RecordScreen(props: { path: string }) {
  const lang = session.language;
  const [Screens, setScreens] = useState<Screens | null>(() => loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (loaded) return;
    import("./record/index").then(
      (module) => {
        loaded = module.RecordScreens;
        setScreens(() => module.RecordScreens);
      },
      () => setFailed(true),
    );
  }, []);
  if (Screens) return <Screens path={props.path} />;
  if (!failed) return <p class="loading" role="status">…</p>;
  // A module that failed to load is not fetched again by import(): reload the page.
  return (
    <section class="card">
      <h1>{t("my_record", lang)}</h1>
      <p class="alert" role="alert">{t("rec_load_failed", lang)}</p>
      <button type="button" onClick={() => location.reload()}>{t("rec_retry", lang)}</button>
    </section>
  );
}
