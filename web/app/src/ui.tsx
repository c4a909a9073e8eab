// Small pieces every screen uses: a labelled field that shows its problem, and the problem line.
import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";
import { navigate } from "./router";

export function Field(props: {
  label: string;
  name: string;
  type?: string;
  value: string;
  onInput: (value: string) => void;
  error?: string;
  autocomplete?: string;
  inputMode?: "tel" | "numeric" | "text";
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
        onInput={(event) => props.onInput((event.target as HTMLInputElement).value)}
      />
      {props.error && (
        <p id={`${id}-error`} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

export function Alert(props: { children: ComponentChildren }) {
  return props.children ? (
    <p class="alert" role="alert">
      {props.children}
    </p>
  ) : null;
}

/** An in-app link: the router's navigation, and a real href for a new tab or a screen reader. */
export function Link(props: { href: string; class?: string; children: ComponentChildren }) {
  return (
    <a href={props.href} class={props.class} onClick={(event) => {
      event.preventDefault();
      navigate(props.href);
      scrollTo(0, 0);
    }}>{props.children}</a>
  );
}
