import { describe, expect, it } from "vitest";
import {
  EMPTY_SCHEDULE,
  nextRange,
  preview,
  sameSchedule,
  scheduleOf,
  scheduleProblems,
  slotsBetween,
  toBody,
  zonedInstant,
  type Schedule,
} from "./availability";

const MORNINGS: Schedule = {
  time_zone: "Africa/Bamako",
  slot_minutes: 30,
  weekly: { mon: [{ start: "08:00", end: "10:00" }], wed: [{ start: "08:00", end: "09:00" }] },
  exceptions: [],
};
// Monday 7 December 2026, 06:00 in Bamako (UTC+0 all year).
const MONDAY_6AM = new Date("2026-12-07T06:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

describe("the slots a schedule gives", () => {
  it("are back to back in each range, never running past its end", () => {
    const slots = slotsBetween({ ...MORNINGS, slot_minutes: 45 }, Date.parse("2026-12-07T00:00:00Z"),
      Date.parse("2026-12-08T00:00:00Z"));
    expect(slots.map(iso)).toEqual(["2026-12-07T08:00:00.000Z", "2026-12-07T08:45:00.000Z"]);
  });

  it("follow an exception instead of the weekday: a day off, or other hours", () => {
    const schedule: Schedule = {
      ...MORNINGS,
      exceptions: [
        { day: "2026-12-07", available: false, ranges: [] },
        { day: "2026-12-09", available: true, ranges: [{ start: "14:00", end: "15:00" }] },
      ],
    };
    const slots = slotsBetween(schedule, Date.parse("2026-12-07T00:00:00Z"), Date.parse("2026-12-10T00:00:00Z"));
    expect(slots.map(iso)).toEqual(["2026-12-09T14:00:00.000Z", "2026-12-09T14:30:00.000Z"]);
  });

  it("are local times of the schedule's time zone (Paris is UTC+1 in winter, UTC+2 in summer)", () => {
    const paris: Schedule = { ...MORNINGS, time_zone: "Europe/Paris" };
    expect(slotsBetween(paris, Date.parse("2026-12-07T00:00:00Z"), Date.parse("2026-12-07T23:00:00Z")).map(iso)[0])
      .toBe("2026-12-07T07:00:00.000Z");
    expect(slotsBetween(paris, Date.parse("2026-06-01T00:00:00Z"), Date.parse("2026-06-01T23:00:00Z")).map(iso)[0])
      .toBe("2026-06-01T06:00:00.000Z");
  });

  it("skip a local time that does not exist (the spring daylight-saving gap)", () => {
    expect(zonedInstant("Europe/Paris", "2026-03-29", 2 * 60 + 30)).toBeNull();
    expect(zonedInstant("Africa/Bamako", "2026-03-29", 2 * 60 + 30)).toBe(Date.parse("2026-03-29T02:30:00Z"));
    expect(zonedInstant("Africa/Bamako", "2026-03-29", 24 * 60)).toBe(Date.parse("2026-03-30T00:00:00Z"));
  });
});

describe("the effect of a change before saving it", () => {
  it("counts the slots added and removed over the next seven days and lists them by day", () => {
    const edited: Schedule = {
      ...MORNINGS,
      weekly: { mon: [{ start: "08:00", end: "09:00" }], tue: [{ start: "10:00", end: "11:30" }], wed: MORNINGS.weekly.wed },
    };
    const effect = preview(edited, MORNINGS, MONDAY_6AM);
    // Monday loses 09:00 and 09:30 (twice: this week, and next Monday is day 7, outside);
    // Tuesday gains 10:00, 10:30, 11:00.
    expect(effect.added).toBe(3);
    expect(effect.removed).toBe(2);
    expect(effect.total).toBe(2 + 3 + 2);
    expect(effect.days).toHaveLength(7);
    expect(effect.days[0]).toEqual({
      day: "2026-12-07",
      slots: [
        { at: "2026-12-07T08:00:00.000Z", time: "08:00", change: "kept" },
        { at: "2026-12-07T08:30:00.000Z", time: "08:30", change: "kept" },
        { at: "2026-12-07T09:00:00.000Z", time: "09:00", change: "removed" },
        { at: "2026-12-07T09:30:00.000Z", time: "09:30", change: "removed" },
      ],
    });
    expect(effect.days[1].slots.map((s) => `${s.time} ${s.change}`)).toEqual(["10:00 added", "10:30 added", "11:00 added"]);
  });

  it("leaves out the slots already past or too soon to book", () => {
    const effect = preview(MORNINGS, EMPTY_SCHEDULE, new Date("2026-12-07T08:27:00Z"));
    expect(effect.days[0].slots.map((s) => s.time)).toEqual(["09:00", "09:30"]);
    expect(effect.added).toBe(2 + 2);
  });

  it("shows the days in Bamako time whatever the schedule's zone", () => {
    const paris: Schedule = { ...MORNINGS, time_zone: "Europe/Paris" };
    const effect = preview(paris, EMPTY_SCHEDULE, MONDAY_6AM);
    expect(effect.days[0].slots.map((s) => s.time)).toEqual(["07:00", "07:30", "08:00", "08:30"]);
  });

  it("sees nothing to save when only the order or the empty days differ", () => {
    const shuffled: Schedule = {
      ...MORNINGS,
      weekly: { wed: MORNINGS.weekly.wed, sun: [], mon: MORNINGS.weekly.mon },
    };
    expect(sameSchedule(shuffled, MORNINGS)).toBe(true);
    expect(sameSchedule({ ...MORNINGS, slot_minutes: 20 }, MORNINGS)).toBe(false);
    expect(toBody(shuffled).weekly).toEqual({ mon: MORNINGS.weekly.mon, wed: MORNINGS.weekly.wed });
  });
});

describe("the checks before sending", () => {
  it("name the field the users service would refuse", () => {
    const broken: Schedule = {
      time_zone: "Africa/Bamako",
      slot_minutes: 33,
      weekly: {
        mon: [{ start: "08:00", end: "12:00" }, { start: "11:00", end: "13:00" }],
        tue: [{ start: "10:00", end: "09:00" }, { start: "08:07", end: "" }],
      },
      exceptions: [
        { day: "2026-12-01", available: false, ranges: [] },
        { day: "2026-12-20", available: true, ranges: [] },
      ],
    };
    expect(scheduleProblems(broken, "2026-12-07")).toEqual({
      slot_minutes: "slot_length",
      "weekly.mon.1.start": "range_overlap",
      "weekly.tue.0.end": "range_order",
      "weekly.tue.1.start": "time_grid",
      "weekly.tue.1.end": "time_invalid",
      "exceptions.0.day": "day_past",
      "exceptions.1.ranges": "ranges_required",
    });
  });

  it("refuse a range shorter than one slot and accept a day ending at midnight", () => {
    const schedule: Schedule = { ...MORNINGS, slot_minutes: 60, weekly: { fri: [{ start: "08:00", end: "08:30" }, { start: "22:00", end: "24:00" }] } };
    expect(scheduleProblems(schedule, "2026-12-07")).toEqual({ "weekly.fri.0.end": "range_shorter_than_slot" });
    expect(scheduleProblems(MORNINGS, "2026-12-07")).toEqual({});
  });
});

describe("a schedule as the API answers it", () => {
  it("gets the defaults where nothing is set", () => {
    expect(scheduleOf({ weekly: {}, exceptions: [] })).toEqual(EMPTY_SCHEDULE);
    expect(scheduleOf(null)).toEqual(EMPTY_SCHEDULE);
  });

  it("offers an afternoon after a morning", () => {
    expect(nextRange([], 30)).toEqual({ start: "08:00", end: "12:00" });
    expect(nextRange([{ start: "08:00", end: "12:00" }], 30)).toEqual({ start: "14:00", end: "17:00" });
  });
});
