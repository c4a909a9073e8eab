// What the doctor's profile and hours screens share: an API call that never throws (no answer
// at all is told apart from a refusal), and a form kept on the phone until it is saved.
import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";
import type { Problem } from "../../problems";
import { session } from "../../session";

export type Answer<T> =
  | { ok: true; data: T }
  | { ok: false; offline: false; status: number; problem: Problem | null }
  | { ok: false; offline: true };

/** The API's answer; `offline` when none came (the request may not have reached it). */
export async function answer<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Answer<T>> {
  try {
    const { data, error, response } = await request;
    if (response.ok) return { ok: true, data: data as T };
    const problem = typeof error === "object" && error ? (error as Problem) : null;
    return { ok: false, offline: false, status: response.status, problem };
  } catch {
    return { ok: false, offline: true };
  }
}

/** A draft kept for this tab (it survives a reload or a dropped connection, not a sign-out on
 * a shared phone: the session's storage goes with the tab). */
export function draft<T>(name: string) {
  const key = () => `keneya.draft.${name}.${session.userId ?? ""}`;
  return {
    load(): T | null {
      try {
        const kept = sessionStorage.getItem(key());
        return kept ? (JSON.parse(kept) as T) : null;
      } catch {
        return null;
      }
    },
    save(value: T): void {
      try {
        sessionStorage.setItem(key(), JSON.stringify(value));
      } catch {
        // Storage full or refused: the form is still in memory.
      }
    },
    clear(): void {
      try {
        sessionStorage.removeItem(key());
      } catch {
        // Nothing kept.
      }
    },
  };
}

/** A labelled control with its hint and its problem (the control gets `id` and the ids of
 * what describes it). */
export function Labelled(props: {
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string;
  class?: string;
  children: (id: string, describedBy: string | undefined) => ComponentChildren;
  id?: string;
}) {
  const generated = useId();
  const id = props.id ?? generated;
  const described = [props.hint ? `${id}-hint` : "", props.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class={props.class ?? "field"}>
      <label for={id}>{props.label}</label>
      {props.children(id, described || undefined)}
      {props.hint && <p id={`${id}-hint`} class="hint">{props.hint}</p>}
      {props.error && <p id={`${id}-error`} class="field-error">{props.error}</p>}
    </div>
  );
}
