// A screen whose code is fetched the first time it is shown: the first screen stays small on
// a weak network, and the call's or the record's code comes only to those who open them.
import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "./i18n";
import { session } from "./session";

export function lazyScreen<P extends object>(
  load: () => Promise<FunctionComponent<P>>,
): FunctionComponent<P> {
  let loaded: FunctionComponent<P> | null = null;
  return function LazyScreen(props: P) {
    const [Screen, setScreen] = useState<FunctionComponent<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Screen) return;
      load().then(
        (component) => {
          loaded = component;
          setScreen(() => component);
        },
        () => setFailed(true),
      );
    }, []);
    if (Screen) return <Screen {...props} />;
    if (!failed) return <p class="loading" role="status">…</p>;
    // A module that failed to load is not fetched again by import(): the page is reloaded.
    return (
      <section class="card">
        <p class="alert" role="alert">{t("load_failed", session.language)}</p>
        <button type="button" onClick={() => location.reload()}>{t("retry", session.language)}</button>
      </section>
    );
  };
}
