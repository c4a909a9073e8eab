// A doctor's schedule (weekly hours, days that differ, slot length, time zone) and the slots it
// gives, computed in the browser the way the consultations service does
// (functions/consultations/chalicelib/schedule.py), so a doctor sees what a change does to the
// week's slots before saving it.

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type Range = { start: string; end: string };
export type DayException = { day: string; available: boolean; ranges: Range[] };
export type Schedule = {
  time_zone: string;
  slot_minutes: number;
  weekly: Partial<Record<Weekday, Range[]>>;
  exceptions: DayException[];
};

export const DEFAULT_TIME_ZONE = "Africa/Bamako";
export const GRID_MINUTES = 5;
export const MIN_SLOT_MINUTES = 10;
export const MAX_SLOT_MINUTES = 120;
/** A slot starting sooner than this cannot be booked any more (the service's `min_notice`). */
export const NOTICE_MINUTES = 5;
const DAY_MINUTES = 24 * 60;
const MINUTE_MS = 60_000;

export const EMPTY_SCHEDULE: Schedule = {
  time_zone: DEFAULT_TIME_ZONE,
  slot_minutes: 30,
  weekly: {},
  exceptions: [],
};

/** "08:30" -> 510, "24:00" -> 1440; null when it is no time of day. */
export function minutesOf(text: string): number | null {
  const found = /^(\d{2}):(\d{2})$/.exec(text);
  if (!found) return null;
  const hours = Number(found[1]);
  const minutes = Number(found[2]);
  const value = hours * 60 + minutes;
  return minutes > 59 || value > DAY_MINUTES ? null : value;
}

export function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** The schedule as the API takes it: days without hours left out, ranges in order, time zone
 * and slot length as given. */
export function toBody(schedule: Schedule): Schedule {
  const weekly: Partial<Record<Weekday, Range[]>> = {};
  for (const day of WEEKDAYS) {
    const ranges = schedule.weekly[day] ?? [];
    if (ranges.length) weekly[day] = sortedRanges(ranges);
  }
  return {
    time_zone: schedule.time_zone || DEFAULT_TIME_ZONE,
    slot_minutes: schedule.slot_minutes,
    weekly,
    exceptions: [...schedule.exceptions]
      .sort((a, b) => a.day.localeCompare(b.day))
      .map((e) => ({ day: e.day, available: e.available, ranges: e.available ? sortedRanges(e.ranges) : [] })),
  };
}

function sortedRanges(ranges: Range[]): Range[] {
  return [...ranges].sort((a, b) => a.start.localeCompare(b.start)).map((r) => ({ start: r.start, end: r.end }));
}

/** Whether two schedules give the same body (what saving would change). */
export function sameSchedule(a: Schedule, b: Schedule): boolean {
  return JSON.stringify(toBody(a)) === JSON.stringify(toBody(b));
}

export type Rule =
  | "time_invalid"
  | "time_grid"
  | "range_order"
  | "range_shorter_than_slot"
  | "range_overlap"
  | "slot_length"
  | "day_required"
  | "day_past"
  | "day_repeated"
  | "ranges_required";

/** The rules the users service applies, checked before sending: the API's field path
 * ("weekly.mon.0.end", "exceptions.1.day") -> the rule broken. `today` is YYYY-MM-DD in the
 * schedule's time zone. */
export function scheduleProblems(schedule: Schedule, today: string): Record<string, Rule> {
  const found: Record<string, Rule> = {};
  const slot = schedule.slot_minutes;
  const slotOk = Number.isInteger(slot) && slot >= MIN_SLOT_MINUTES && slot <= MAX_SLOT_MINUTES && slot % GRID_MINUTES === 0;
  if (!slotOk) found.slot_minutes = "slot_length";
  const check = (ranges: Range[], where: string) => {
    const good: [number, number, number][] = [];
    ranges.forEach((range, index) => {
      const start = minutesOf(range.start);
      const end = minutesOf(range.end);
      if (start === null || start === DAY_MINUTES) found[`${where}.${index}.start`] = "time_invalid";
      else if (start % GRID_MINUTES) found[`${where}.${index}.start`] = "time_grid";
      if (end === null) found[`${where}.${index}.end`] = "time_invalid";
      else if (end % GRID_MINUTES) found[`${where}.${index}.end`] = "time_grid";
      if (start === null || end === null || start === DAY_MINUTES || start % GRID_MINUTES || end % GRID_MINUTES) return;
      if (start >= end) found[`${where}.${index}.end`] = "range_order";
      else if (slotOk && end - start < slot) found[`${where}.${index}.end`] = "range_shorter_than_slot";
      else good.push([start, end, index]);
    });
    good.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < good.length; i++) {
      if (good[i][0] < good[i - 1][1]) found[`${where}.${good[i][2]}.start`] = "range_overlap";
    }
  };
  for (const day of WEEKDAYS) check(schedule.weekly[day] ?? [], `weekly.${day}`);
  const seen = new Set<string>();
  schedule.exceptions.forEach((exception, index) => {
    const where = `exceptions.${index}`;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(exception.day)) found[`${where}.day`] = "day_required";
    else if (exception.day < today) found[`${where}.day`] = "day_past";
    else if (seen.has(exception.day)) found[`${where}.day`] = "day_repeated";
    seen.add(exception.day);
    if (exception.available) {
      if (!exception.ranges.length) found[`${where}.ranges`] = "ranges_required";
      check(exception.ranges, `${where}.ranges`);
    }
  });
  return found;
}

// -- dates in a time zone ----------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(zone: string, instant: number): { day: string; minute: number; weekday: number } {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", weekday: "short",
    });
    formatters.set(zone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(new Date(instant))) parts[part.type] = part.value;
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday);
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    minute: (Number(parts.hour) % 24) * 60 + Number(parts.minute),
    weekday,
  };
}

/** Whether the browser knows this IANA time zone. */
export function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The local day (YYYY-MM-DD) of `instant` in `zone`. */
export function dayIn(zone: string, instant: Date): string {
  return partsIn(zone, instant.getTime()).day;
}

function addDays(day: string, count: number): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + count)).toISOString().slice(0, 10);
}

function weekdayOf(day: string): Weekday {
  const [y, m, d] = day.split("-").map(Number);
  return WEEKDAYS[(new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7];
}

/** The UTC instant of local `day` + `minute` in `zone`; null when that local time does not
 * exist there (a daylight-saving gap). */
export function zonedInstant(zone: string, day: string, minute: number): number | null {
  let [y, m, d] = day.split("-").map(Number);
  if (minute >= DAY_MINUTES) {
    [y, m, d] = addDays(day, 1).split("-").map(Number);
    minute -= DAY_MINUTES;
  }
  const wall = Date.UTC(y, m - 1, d, Math.floor(minute / 60), minute % 60);
  const offset = (instant: number) => {
    const local = partsIn(zone, instant);
    const [ly, lm, ld] = local.day.split("-").map(Number);
    return Date.UTC(ly, lm - 1, ld, Math.floor(local.minute / 60), local.minute % 60) - instant;
  };
  let instant = wall - offset(wall);
  instant = wall - offset(instant);
  const back = partsIn(zone, instant);
  const wanted = partsIn("UTC", wall);
  return back.day === wanted.day && back.minute === wanted.minute ? instant : null;
}

// -- slots -------------------------------------------------------------------------------------

function rangesOn(schedule: Schedule, day: string): Range[] {
  const exception = schedule.exceptions.find((e) => e.day === day);
  if (exception) return exception.available ? exception.ranges : [];
  return schedule.weekly[weekdayOf(day)] ?? [];
}

/** The starts (UTC milliseconds) of the slots `schedule` offers in [from, to), in order. A
 * schedule the service would refuse gives what its valid ranges give. */
export function slotsBetween(schedule: Schedule, from: number, to: number): number[] {
  const zone = knownZone(schedule.time_zone) ? schedule.time_zone : DEFAULT_TIME_ZONE;
  const length = schedule.slot_minutes;
  if (!Number.isInteger(length) || length < GRID_MINUTES) return [];
  const step = Math.ceil(length / GRID_MINUTES) * GRID_MINUTES;
  const starts = new Set<number>();
  let day = addDays(dayIn(zone, new Date(from)), -1);
  const last = addDays(dayIn(zone, new Date(to)), 1);
  while (day <= last) {
    for (const range of rangesOn(schedule, day)) {
      const start = minutesOf(range.start);
      const end = minutesOf(range.end);
      if (start === null || end === null || end <= start) continue;
      const first = Math.ceil(start / GRID_MINUTES) * GRID_MINUTES;
      for (let minute = first; minute + length <= end; minute += step) {
        const instant = zonedInstant(zone, day, minute);
        if (instant !== null && instant >= from && instant < to) starts.add(instant);
      }
    }
    day = addDays(day, 1);
  }
  return [...starts].sort((a, b) => a - b);
}

export type SlotChange = "added" | "removed" | "kept";
export type PreviewDay = { day: string; slots: { at: string; time: string; change: SlotChange }[] };
export type Preview = {
  added: number;
  removed: number;
  /** Slots the edited schedule gives over the period. */
  total: number;
  /** Each local day (in `shownZone`) of the period, even without a slot. */
  days: PreviewDay[];
};

/** What saving `edited` instead of `saved` does to the slots of `days` days from today (those
 * still bookable at `now`), each listed by day and time in `shownZone` (Bamako's, where
 * patients book). */
export function preview(
  edited: Schedule,
  saved: Schedule,
  now: Date,
  days = 7,
  shownZone = DEFAULT_TIME_ZONE,
): Preview {
  const today = dayIn(shownZone, now);
  const from = now.getTime() + NOTICE_MINUTES * MINUTE_MS;
  const to = zonedInstant(shownZone, addDays(today, days), 0) ?? now.getTime() + days * DAY_MINUTES * MINUTE_MS;
  const after = new Set(slotsBetween(edited, from, to));
  const before = new Set(slotsBetween(saved, from, to));
  const all = [...new Set([...after, ...before])].sort((a, b) => a - b);
  const byDay = new Map<string, PreviewDay>();
  for (let index = 0, day = today; index < days; index++, day = addDays(day, 1)) {
    byDay.set(day, { day, slots: [] });
  }
  let added = 0;
  let removed = 0;
  for (const instant of all) {
    const change: SlotChange = after.has(instant) ? (before.has(instant) ? "kept" : "added") : "removed";
    if (change === "added") added++;
    if (change === "removed") removed++;
    const local = partsIn(shownZone, instant);
    const entry = byDay.get(local.day) ?? { day: local.day, slots: [] };
    byDay.set(local.day, entry);
    entry.slots.push({ at: new Date(instant).toISOString(), time: clock(local.minute), change });
  }
  return { added, removed, total: after.size, days: [...byDay.values()] };
}

/** A schedule as the API answers it (or as kept on the phone), in the shape the screen edits. */
export function scheduleOf(view: Partial<Schedule> | null | undefined): Schedule {
  const weekly: Partial<Record<Weekday, Range[]>> = {};
  for (const day of WEEKDAYS) {
    const ranges = view?.weekly?.[day];
    if (ranges?.length) weekly[day] = ranges.map((r) => ({ start: r.start, end: r.end }));
  }
  return {
    time_zone: view?.time_zone || DEFAULT_TIME_ZONE,
    slot_minutes: view?.slot_minutes ?? EMPTY_SCHEDULE.slot_minutes,
    weekly,
    exceptions: (view?.exceptions ?? []).map((e) => ({
      day: e.day, available: e.available, ranges: (e.ranges ?? []).map((r) => ({ start: r.start, end: r.end })),
    })),
  };
}

/** The API's field paths for a refused schedule ("weekly.mon.0.end") -> its message. */
export function fieldMessages(errors: { field: string; message: string }[] | undefined): Record<string, string> {
  const found: Record<string, string> = {};
  for (const error of errors ?? []) if (!(error.field in found)) found[error.field] = error.message;
  return found;
}

/** The next weekday's ranges after the last one of a day: a morning gives an afternoon. */
export function nextRange(ranges: Range[], slotMinutes: number): Range {
  if (!ranges.length) return { start: "08:00", end: "12:00" };
  const last = Math.max(...ranges.map((r) => minutesOf(r.end) ?? 0));
  const start = Math.min(last + 120, DAY_MINUTES - Math.max(slotMinutes, 60));
  const end = Math.min(start + 180, DAY_MINUTES);
  return { start: clock(start), end: clock(end) };
}
