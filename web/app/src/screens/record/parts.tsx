// What every record screen uses: an API call that never throws, a read with its loading and
// failure states, the way back, labelled inputs beyond ui.tsx's text field, a confirmation.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useState } from "preact/hooks";
import { api } from "../../api/client";
import type { Language } from "../../i18n";
import { t, type TextKey } from "../../texts/record";
import type { Problem, Shown } from "../../problems";
import { recordProblem } from "../../record";
import { Link } from "../../ui";
import { session } from "../../session";

export const NONE: Shown = { message: "", fields: {} };

export type Outcome<T> = { ok: true; data: T } | { ok: false; problem: Shown };

/** The API's answer, or what to say about the refusal (no answer at all: nothing was saved). */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
  language: Language,
): Promise<Outcome<T>> {
  try {
    const { data, error, response } = await request;
    if (response.ok) return { ok: true, data: data as T };
    return { ok: false, problem: recordProblem(typeof error === "object" && error ? (error as Problem) : {}, language) };
  } catch {
    return { ok: false, problem: recordProblem(null, language) };
  }
}

/** The signed-in patient's own record id. */
export function me(): string {
  return session.userId ?? "";
}

export type Loaded<T> = { state: "loading" } | { state: "failed" } | { state: "ready"; data: T };

/** A read run on mount and on `reload()`; the last answer stays shown while it reloads. */
export function useLoad<T>(load: () => Promise<Outcome<T>>, deps: unknown[] = []):
  [Loaded<T>, () => Promise<void>] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  async function reload() {
    const outcome = await load();
    setLoaded((before) => (outcome.ok ? { state: "ready", data: outcome.data }
      : before.state === "ready" ? before : { state: "failed" }));
  }
  useEffect(() => {
    setLoaded({ state: "loading" });
    void reload();
  }, deps);
  return [loaded, reload];
}

/** The loading and failure states of a read; its content once there. */
export function Show<T>(props: { loaded: Loaded<T>; retry: () => void; children: (data: T) => ComponentChildren }) {
  const lang = session.language;
  if (props.loaded.state === "loading") return <p class="loading" role="status">…</p>;
  if (props.loaded.state === "failed") {
    return (
      <div class="card">
        <p class="alert" role="alert">{t("load_failed", lang)}</p>
        <button type="button" onClick={props.retry}>{t("retry", lang)}</button>
      </div>
    );
  }
  return <>{props.children(props.loaded.data)}</>;
}


/** A record screen: the way back to the record, its title, its content. */
export function Page(props: { title: TextKey; children: ComponentChildren }) {
  const lang = session.language;
  return (
    <section class="record">
      <Link href="/record" class="back">{t("rec_back", lang)}</Link>
      <h1>{t(props.title, lang)}</h1>
      {props.children}
    </section>
  );
}

type InputProps = {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  error?: string;
  type?: string;
  inputMode?: "decimal" | "numeric" | "text";
  min?: string;
  max?: string;
  hint?: string;
};

/** ui.tsx's Field, with what dates and numbers need (bounds, a decimal keypad, a hint). */
export function Input(props: InputProps) {
  const id = useId();
  const described = [props.hint && `${id}-hint`, props.error && `${id}-error`].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint && <p id={`${id}-hint`} class="hint">{props.hint}</p>}
      <input id={id} name={props.name} type={props.type ?? "text"} value={props.value}
        inputMode={props.inputMode} min={props.min} max={props.max}
        aria-invalid={props.error ? "true" : undefined} aria-describedby={described || undefined}
        onInput={(event) => props.onInput((event.target as HTMLInputElement).value)} />
      {props.error && <p id={`${id}-error`} class="field-error">{props.error}</p>}
    </div>
  );
}

export function Select(props: {
  label: string;
  name: string;
  value: string;
  options: { value: string; label: string }[];
  onChange: (value: string) => void;
  error?: string;
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name} value={props.value}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
        onChange={(event) => props.onChange((event.target as HTMLSelectElement).value)}>
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>{option.label}</option>
        ))}
      </select>
      {props.error && <p id={`${id}-error`} class="field-error">{props.error}</p>}
    </div>
  );
}

/** "Remove X?" with yes and no, in place of the button that asked. */
export function Confirm(props: { question: string; yes: string; no: string; busy?: boolean;
  onYes: () => void; onNo: () => void }) {
  return (
    <div class="confirm" role="group" aria-label={props.question}>
      <p>{props.question}</p>
      <button type="button" class="danger" disabled={props.busy} onClick={props.onYes}>{props.yes}</button>
      <button type="button" onClick={props.onNo}>{props.no}</button>
    </div>
  );
}

/** A sentence that says what just happened, read out by screen readers. */
export function Done(props: { children: ComponentChildren }) {
  return <p class="done" role="status">{props.children}</p>;
}

// Doctors' names, from the public directory, asked once per doctor.
const doctorNames = new Map<string, Promise<string | null>>();

export function doctorName(doctorId: string): Promise<string | null> {
  let found = doctorNames.get(doctorId);
  if (!found) {
    found = api.GET("/api/v1/users/doctors/{doctor_id}", { params: { path: { doctor_id: doctorId } } })
      .then(({ data }) => data?.full_name ?? null, () => null);
    found.then((name) => { if (name === null) doctorNames.delete(doctorId); });
    doctorNames.set(doctorId, found);
  }
  return found;
}

/** The names of these doctors, filled in as the directory answers. */
export function useDoctorNames(ids: string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const key = [...new Set(ids)].sort().join(",");
  useEffect(() => {
    let live = true;
    for (const id of new Set(ids)) {
      void doctorName(id).then((name) => {
        if (live && name) setNames((before) => ({ ...before, [id]: name }));
      });
    }
    return () => { live = false; };
  }, [key]);
  return names;
}
