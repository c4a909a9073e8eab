// A screen whose code is fetched the first time it is shown: the first screen stays small on
// a weak network, and the call's or the record's code comes only to those who open them.
import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";

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
    return failed ? <p class="alert" role="alert">⚠</p> : <p class="loading">…</p>;
  };
}
