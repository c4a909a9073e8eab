// The doctor's hours: weekly ranges per day, the days that differ (a day off, other hours),
// the slot length and the time zone; what the change does to the week's slots is shown before
// saving. The edited hours are kept on the phone until saved, so a dropped connection loses
// nothing, and a failed save says so.
import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../../api/client";
import { resumed, type Draft } from "../../drafts";
import {
  dayIn,
  DEFAULT_TIME_ZONE,
  EMPTY_SCHEDULE,
  fieldMessages,
  GRID_MINUTES,
  knownZone,
  MAX_SLOT_MINUTES,
  MIN_SLOT_MINUTES,
  nextRange,
  preview,
  sameSchedule,
  scheduleOf,
  scheduleProblems,
  toBody,
  WEEKDAYS,
  type DayException,
  type Preview,
  type Range,
  type Schedule,
  type Weekday,
} from "../../availability";
import type { Language } from "../../i18n";
import { session } from "../../session";
import { t, type TextKey } from "../../texts/doctor";
import { Alert } from "../../ui";
import { answer, draft } from "./onboarding";

/** Where doctors in and around Mali work; the schedule's own zone is added when elsewhere. */
const ZONES = [
  "Africa/Bamako", "Africa/Dakar", "Africa/Abidjan", "Africa/Conakry", "Africa/Ouagadougou",
  "Africa/Niamey", "Africa/Nouakchott", "Africa/Lagos", "Africa/Casablanca", "Europe/Paris",
];
const SLOT_LENGTHS = Array.from(
  { length: (MAX_SLOT_MINUTES - MIN_SLOT_MINUTES) / GRID_MINUTES + 1 },
  (_, i) => MIN_SLOT_MINUTES + i * GRID_MINUTES,
);

const kept = draft<Draft<Schedule>>("availability");

type Outcome = "" | "saved" | "offline" | "refused" | "error";

const LOCALES: Record<Language, string> = { fr: "fr-FR", en: "en-GB", bm: "fr-FR" };

function dayName(day: string, language: Language): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return day;
  return new Intl.DateTimeFormat(LOCALES[language], {
    timeZone: "UTC", weekday: "long", day: "numeric", month: "long",
  }).format(new Date(`${day}T12:00:00Z`));
}

function addDays(day: string, count: number): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + count)).toISOString().slice(0, 10);
}

/** The ranges of one day (a weekday or a special day), each with its start, end and removal. */
function Ranges(props: {
  where: string;
  dayLabel: string;
  ranges: Range[];
  problems: Record<string, string>;
  onChange: (ranges: Range[]) => void;
  slotMinutes: number;
}) {
  const lang = session.language;
  const { where, ranges } = props;
  const change = (index: number, part: "start" | "end", value: string) => {
    // A time input cannot hold 24:00: an end at 00:00 is midnight, the end of the day.
    const stored = part === "end" && value === "00:00" ? "24:00" : value;
    props.onChange(ranges.map((r, i) => (i === index ? { ...r, [part]: stored } : r)));
  };
  return (
    <>
      {ranges.length === 0 && <p class="hint">{t("av_closed", lang)}</p>}
      {ranges.map((range, index) => {
        const id = `av-${where.replace(/\./g, "-")}-${index}`;
        const startError = props.problems[`${where}.${index}.start`] ?? props.problems[`${where}.${index}`];
        const endError = props.problems[`${where}.${index}.end`];
        const errors = [startError, endError].filter(Boolean);
        const errorId = `${id}-error`;
        const prefix = t("av_range_n", lang, { day: props.dayLabel, n: index + 1 });
        return (
          <div class="range" key={index}>
            <div class="time">
              <label for={`${id}-start`}><span class="visually-hidden">{prefix} </span>{t("av_start", lang)}</label>
              <input id={`${id}-start`} type="time" step={GRID_MINUTES * 60} value={range.start}
                aria-invalid={startError ? "true" : undefined} aria-describedby={startError ? errorId : undefined}
                onInput={(event) => change(index, "start", (event.target as HTMLInputElement).value)} />
            </div>
            <div class="time">
              <label for={`${id}-end`}><span class="visually-hidden">{prefix} </span>{t("av_end", lang)}</label>
              <input id={`${id}-end`} type="time" step={GRID_MINUTES * 60}
                value={range.end === "24:00" ? "00:00" : range.end}
                aria-invalid={endError ? "true" : undefined} aria-describedby={endError ? errorId : undefined}
                onInput={(event) => change(index, "end", (event.target as HTMLInputElement).value)} />
            </div>
            <button type="button" class="remove"
              aria-label={t("av_remove_long", lang, { day: props.dayLabel, start: range.start, end: range.end })}
              onClick={() => props.onChange(ranges.filter((_, i) => i !== index))}>
              {t("av_remove", lang)}
            </button>
            {errors.length > 0 && <p id={errorId} class="field-error">{errors.join(" ")}</p>}
          </div>
        );
      })}
      <button type="button" class="add"
        aria-label={t("av_add_range_long", lang, { day: props.dayLabel })}
        onClick={() => props.onChange([...ranges, nextRange(ranges, props.slotMinutes)])}>
        <span aria-hidden="true">+ </span>{t("av_add_range", lang)}
      </button>
    </>
  );
}

function Effect(props: { effect: Preview; changed: boolean }) {
  const lang = session.language;
  const { effect } = props;
  const summary = props.changed && (effect.added || effect.removed)
    ? t("av_effect_change", lang, { added: effect.added, removed: effect.removed })
    : t("av_effect_none", lang);
  return (
    <section class="card effect" aria-labelledby="av-effect-title">
      <h2 id="av-effect-title">{t("av_effect", lang)}</h2>
      <p class="effect-summary" role="status" aria-live="polite">{summary}</p>
      <p class="hint">{t("av_effect_total", lang, { total: effect.total })}</p>
      <details class="effect-days">
        <summary>{t("av_effect_details", lang)}</summary>
        <ul class="list">
          {effect.days.map((day) => (
            <li key={day.day} class="effect-day">
              <strong>{dayName(day.day, lang)}</strong>
              {day.slots.length === 0 ? (
                <span class="hint"> {t("av_no_slot_day", lang)}</span>
              ) : (
                <ul class="times">
                  {day.slots.map((slot) => (
                    <li key={slot.at} class={`time-chip ${slot.change}`}>
                      {slot.change === "added" && <ins>+{slot.time}<span class="visually-hidden"> ({t("av_added", lang)})</span></ins>}
                      {slot.change === "removed" && <del>−{slot.time}<span class="visually-hidden"> ({t("av_removed", lang)})</span></del>}
                      {slot.change === "kept" && slot.time}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}

export function DoctorAvailability() {
  const lang = session.language;
  const [saved, setSaved] = useState<Schedule | null>(null);
  const [edited, setEdited] = useState<Schedule>(EMPTY_SCHEDULE);
  const [failed, setFailed] = useState(false);
  const [restored, setRestored] = useState(false);
  const [tried, setTried] = useState(false);
  const [serverProblems, setServerProblems] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [outcome, setOutcome] = useState<Outcome>("");
  const [saving, setSaving] = useState(false);
  const [now, setNow] = useState(() => new Date());

  async function load() {
    setFailed(false);
    const found = await answer(api.GET("/api/v1/users/me/availability"));
    const previous = kept.load();
    if (!found.ok) {
      // Offline with hours typed earlier in this tab: they are still here to finish and save.
      if (previous) {
        setSaved(previous.saved);
        setEdited(previous.edited);
        setRestored(true);
      } else {
        setFailed(true);
      }
      return;
    }
    const current = scheduleOf(found.data as Partial<Schedule>);
    setSaved(current);
    const shown = resumed(previous, current, sameSchedule);
    setEdited(shown.value);
    setRestored(shown.restored);
    if (shown.stale) kept.clear();
  }

  useEffect(() => {
    void load();
    const tick = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(tick);
  }, []);
  useEffect(() => {
    if (!saved) return;
    if (sameSchedule(edited, saved)) kept.clear();
    else kept.save({ edited, saved });
  }, [edited, saved]);

  const zone = knownZone(edited.time_zone) ? edited.time_zone : DEFAULT_TIME_ZONE;
  const today = dayIn(zone, now);
  const effect = useMemo(() => preview(edited, saved ?? EMPTY_SCHEDULE, now), [edited, saved, now]);
  const clientRules = useMemo(() => scheduleProblems(edited, today), [edited, today]);

  if (!saved) {
    if (!failed) return <p class="loading" role="status">…</p>;
    return (
      <section class="card">
        <p class="alert" role="alert">{t("load_failed", lang)}</p>
        <button type="button" onClick={() => void load()}>{t("retry", lang)}</button>
      </section>
    );
  }

  const changed = !sameSchedule(edited, saved);
  const problems: Record<string, string> = { ...serverProblems };
  if (tried) {
    for (const [field, rule] of Object.entries(clientRules)) {
      problems[field] ??= t(`av_rule_${rule}` as TextKey, lang);
    }
  }

  function edit(next: Schedule) {
    setEdited(next);
    setOutcome("");
    setMessage("");
    setServerProblems({});
  }
  const setDay = (day: Weekday) => (ranges: Range[]) => edit({ ...edited, weekly: { ...edited.weekly, [day]: ranges } });
  const setException = (index: number, next: DayException) =>
    edit({ ...edited, exceptions: edited.exceptions.map((e, i) => (i === index ? next : e)) });

  function addException() {
    const taken = new Set(edited.exceptions.map((e) => e.day));
    let day = addDays(today, 1);
    while (taken.has(day)) day = addDays(day, 1);
    edit({ ...edited, exceptions: [...edited.exceptions, { day, available: false, ranges: [] }] });
  }

  function sameOnWeekdays() {
    const monday = edited.weekly.mon ?? [];
    const weekly = { ...edited.weekly };
    for (const day of ["tue", "wed", "thu", "fri"] as const) weekly[day] = monday.map((r) => ({ ...r }));
    edit({ ...edited, weekly });
  }

  async function save(event: Event) {
    event.preventDefault();
    setTried(true);
    setOutcome("");
    if (Object.keys(clientRules).length) {
      setOutcome("refused");
      return setMessage(t("av_refused", lang));
    }
    setSaving(true);
    const result = await answer(api.PUT("/api/v1/users/me/availability", { body: toBody(edited) }));
    setSaving(false);
    if (!result.ok) {
      if (result.offline) {
        setOutcome("offline");
        return setMessage(t("av_not_saved", lang));
      }
      const fields = fieldMessages(result.problem?.errors);
      setServerProblems(fields);
      setOutcome(Object.keys(fields).length ? "refused" : "error");
      return setMessage(Object.keys(fields).length ? t("av_refused", lang)
        : (result.problem?.detail ?? result.problem?.title ?? t("error", lang)));
    }
    const current = scheduleOf(result.data as Partial<Schedule>);
    kept.clear();
    setSaved(current);
    setEdited(current);
    setRestored(false);
    setTried(false);
    setServerProblems({});
    setOutcome("saved");
    setMessage(t("av_saved", lang));
  }

  const zones = ZONES.includes(edited.time_zone) ? ZONES : [edited.time_zone, ...ZONES];
  return (
    <form class="onboarding availability" onSubmit={save} noValidate aria-labelledby="av-title">
      <h1 id="av-title">{t("av_title", lang)}</h1>
      <p class="hint">{t("av_intro", lang, { zone: zone.split("/").pop()?.replace(/_/g, " ") ?? zone })}</p>
      {restored && <p class="kept" role="status">{t("av_kept", lang)}</p>}
      <section class="card" aria-labelledby="av-week-title">
        <h2 id="av-week-title">{t("av_week", lang)}</h2>
        {WEEKDAYS.map((day) => {
          const label = t(`av_${day}` as TextKey, lang);
          return (
            <fieldset class="day" key={day}>
              <legend>{label}</legend>
              <Ranges where={`weekly.${day}`} dayLabel={label} ranges={edited.weekly[day] ?? []}
                problems={problems} onChange={setDay(day)} slotMinutes={edited.slot_minutes} />
              {day === "mon" && (edited.weekly.mon ?? []).length > 0 && (
                <button type="button" class="add" onClick={sameOnWeekdays}>{t("av_copy_weekdays", lang)}</button>
              )}
            </fieldset>
          );
        })}
      </section>
      <section class="card" aria-labelledby="av-settings-title">
        <h2 id="av-settings-title">{t("av_settings", lang)}</h2>
        <div class="field">
          <label for="av-slot">{t("av_slot", lang)}</label>
          <select id="av-slot" value={String(edited.slot_minutes)}
            aria-invalid={problems.slot_minutes ? "true" : undefined}
            aria-describedby={problems.slot_minutes ? "av-slot-error" : undefined}
            onChange={(event) => edit({ ...edited, slot_minutes: Number((event.target as HTMLSelectElement).value) })}>
            {(SLOT_LENGTHS.includes(edited.slot_minutes) ? SLOT_LENGTHS : [edited.slot_minutes, ...SLOT_LENGTHS]).map((n) => (
              <option key={n} value={String(n)}>{t("av_minutes", lang, { n })}</option>
            ))}
          </select>
          {problems.slot_minutes && <p id="av-slot-error" class="field-error">{problems.slot_minutes}</p>}
        </div>
        <div class="field">
          <label for="av-zone">{t("av_zone", lang)}</label>
          <select id="av-zone" value={edited.time_zone}
            aria-invalid={problems.time_zone ? "true" : undefined}
            aria-describedby={problems.time_zone ? "av-zone-error" : undefined}
            onChange={(event) => edit({ ...edited, time_zone: (event.target as HTMLSelectElement).value })}>
            {zones.map((name) => <option key={name} value={name}>{name.replace(/_/g, " ")}</option>)}
          </select>
          {problems.time_zone && <p id="av-zone-error" class="field-error">{problems.time_zone}</p>}
        </div>
      </section>
      <section class="card" aria-labelledby="av-exceptions-title">
        <h2 id="av-exceptions-title">{t("av_exceptions", lang)}</h2>
        <p class="hint">{t("av_exceptions_hint", lang)}</p>
        {edited.exceptions.length === 0 && <p>{t("av_no_exception", lang)}</p>}
        {edited.exceptions.map((exception, index) => {
          const where = `exceptions.${index}`;
          const title = t("av_exception_n", lang, { n: index + 1 });
          const dayError = problems[`${where}.day`];
          const rangesError = problems[`${where}.ranges`];
          const label = exception.day ? dayName(exception.day, lang) : title;
          return (
            <fieldset class="day exception" key={index}>
              <legend>{title}</legend>
              <div class="field">
                <label for={`av-exception-${index}-day`}>{t("av_day", lang)}</label>
                <input id={`av-exception-${index}-day`} type="date" min={today} value={exception.day}
                  aria-invalid={dayError ? "true" : undefined}
                  aria-describedby={[exception.day ? `av-exception-${index}-day-words` : "",
                    dayError ? `av-exception-${index}-day-error` : ""].filter(Boolean).join(" ") || undefined}
                  onInput={(event) => setException(index, { ...exception, day: (event.target as HTMLInputElement).value })} />
                {/* The date in words: a date field shows the phone's own format (12/06 or 06/12). */}
                {exception.day && <p id={`av-exception-${index}-day-words`} class="hint">{dayName(exception.day, lang)}</p>}
                {dayError && <p id={`av-exception-${index}-day-error`} class="field-error">{dayError}</p>}
              </div>
              <div class="choices" role="radiogroup" aria-label={label}>
                <label class="check">
                  <input type="radio" name={`av-exception-${index}-kind`} checked={!exception.available}
                    onChange={() => setException(index, { ...exception, available: false, ranges: [] })} />
                  {t("av_day_off", lang)}
                </label>
                <label class="check">
                  <input type="radio" name={`av-exception-${index}-kind`} checked={exception.available}
                    onChange={() => setException(index, {
                      ...exception, available: true,
                      ranges: exception.ranges.length ? exception.ranges : [nextRange([], edited.slot_minutes)],
                    })} />
                  {t("av_other_hours", lang)}
                </label>
              </div>
              {exception.available && (
                <Ranges where={`${where}.ranges`} dayLabel={label} ranges={exception.ranges}
                  problems={problems} slotMinutes={edited.slot_minutes}
                  onChange={(ranges) => setException(index, { ...exception, ranges })} />
              )}
              {rangesError && <p class="field-error">{rangesError}</p>}
              <button type="button" class="remove"
                onClick={() => edit({ ...edited, exceptions: edited.exceptions.filter((_, i) => i !== index) })}>
                {t("av_remove_exception", lang)}
              </button>
            </fieldset>
          );
        })}
        <button type="button" class="add" onClick={addException}>
          <span aria-hidden="true">+ </span>{t("av_add_exception", lang)}
        </button>
      </section>
      <Effect effect={effect} changed={changed} />
      <div class="card save-area">
        {changed && outcome !== "offline" && <p class="unsaved">{t("av_unsaved", lang)}</p>}
        {outcome === "saved" ? (
          <p class="done" role="status">{message}</p>
        ) : (
          <Alert>{message}</Alert>
        )}
        <div class="actions">
          <button class="primary" type="submit" disabled={saving || (!changed && outcome !== "offline")}>
            {saving ? t("av_saving", lang) : t("av_save", lang)}
          </button>
          {changed && (
            <button type="button" onClick={() => {
              edit(saved);
              setTried(false);
              setRestored(false);
            }}>{t("av_discard", lang)}</button>
          )}
        </div>
      </div>
    </form>
  );
}
