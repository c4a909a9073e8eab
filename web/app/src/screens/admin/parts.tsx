// What the administrators' screens share: an API answer as an outcome (never a
// throw), a labelled text area with its hint and problem, and a doctor's photo fetched with the
// administrator's token (its link needs one, so an <img> cannot fetch it by itself).
import { useEffect, useId, useState } from "preact/hooks";
import { shown, type Problem, type Shown } from "../../problems";
import { session } from "../../session";
import { t } from "../../texts/admin";

export const NONE: Shown = { message: "", fields: {} };

export type Outcome<T> = { ok: true; data: T } | { ok: false; status: number; problem: Shown };

/** The API's answer, or what to say of the refusal (no answer at all: a network problem). */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Outcome<T>> {
  const lang = session.language;
  try {
    const { data, error, response } = await request;
    if (response.ok) return { ok: true, data: data as T };
    const problem = typeof error === "object" && error ? (error as Problem) : null;
    return { ok: false, status: response.status, problem: shown(problem, t("error", lang)) };
  } catch {
    return { ok: false, status: 0, problem: shown(null, t("load_failed", lang)) };
  }
}


export function TextArea(props: {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string;
  error?: string;
  maxLength?: number;
}) {
  const id = useId();
  const described = [props.hint && `${id}-hint`, props.error && `${id}-error`].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint && <p id={`${id}-hint`} class="hint">{props.hint}</p>}
      <textarea id={id} name={props.name} rows={4} value={props.value} maxLength={props.maxLength}
        aria-required="true" aria-invalid={props.error ? "true" : undefined} aria-describedby={described || undefined}
        onInput={(event) => props.onInput((event.target as HTMLTextAreaElement).value)} />
      {props.error && <p id={`${id}-error`} class="field-error">{props.error}</p>}
    </div>
  );
}

type Photo = { state: "none" } | { state: "loading" } | { state: "failed" } | { state: "shown"; url: string };

/** The photo behind `path` (the users service redirects to a short-lived link of the storage,
 * which the page's policy allows), as an object URL released when no longer shown. */
export function usePhoto(path: string | null | undefined): Photo {
  const [photo, setPhoto] = useState<Photo>({ state: path ? "loading" : "none" });
  useEffect(() => {
    if (!path) {
      setPhoto({ state: "none" });
      return;
    }
    let url: string | null = null;
    let gone = false;
    setPhoto({ state: "loading" });
    void (async () => {
      try {
        const token = await session.accessToken();
        const answer = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
        if (!answer.ok) throw new Error(String(answer.status));
        const blob = await answer.blob();
        if (gone) return;
        url = URL.createObjectURL(blob);
        setPhoto({ state: "shown", url });
      } catch {
        if (!gone) setPhoto({ state: "failed" });
      }
    })();
    return () => {
      gone = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [path]);
  return photo;
}
