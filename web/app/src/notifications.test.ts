import { describe, expect, it } from "vitest";
import { afterFrame, destination, EMPTY, KEPT, merged, newestId, type Notice } from "./notifications";

const notice = (id: string, minute: number, read = false): Notice => ({
  id,
  type: "consultation.confirmed",
  category: "appointments",
  title: `title ${id}`,
  body: "",
  link: {},
  created_at: `2026-12-05T10:${String(minute).padStart(2, "0")}:00Z`,
  read,
  read_at: null,
});

describe("the inbox", () => {
  it("shows a notification arrived live first, with the unread count the server sent", () => {
    const before = { ...EMPTY, items: [notice("a", 1)], unread: 1 };
    const after = afterFrame(before, { type: "notification", notification: notice("b", 2), unread: 2 });
    expect(after.items.map((n) => n.id)).toEqual(["b", "a"]);
    expect(after.unread).toBe(2);
    expect(after.arrived?.id).toBe("b");
  });

  it("keeps each notification once, even when the socket repeats it after a reconnection", () => {
    const once = afterFrame(EMPTY, { type: "notification", notification: notice("a", 1), unread: 1 });
    const again = afterFrame({ ...once, arrived: null }, { type: "notification", notification: notice("a", 1), unread: 1 });
    expect(again.items).toHaveLength(1);
    expect(again.arrived).toBeNull();
  });

  it("catches up with a sync page, asking after the newest one held", () => {
    const held = { ...EMPTY, items: [notice("a", 1)] };
    expect(newestId(held)).toBe("a");
    const synced = afterFrame(held, {
      type: "sync", notifications: [notice("b", 2), notice("c", 3)], more: false, unread: 3,
    });
    expect(synced.items.map((n) => n.id)).toEqual(["c", "b", "a"]);
    expect(synced.unread).toBe(3);
    expect(synced.arrived).toBeNull();
  });

  it("follows the unread count read elsewhere, and ignores frames it does not know", () => {
    const state = { ...EMPTY, unread: 4 };
    expect(afterFrame(state, { type: "unread_count", unread: 1 }).unread).toBe(1);
    expect(afterFrame(state, { type: "pong" })).toBe(state);
  });

  it("keeps the newest few in memory", () => {
    const many = Array.from({ length: KEPT + 5 }, (_, i) => notice(`n${i}`, i % 60));
    expect(merged([], many)).toHaveLength(KEPT);
  });
});

describe("where a notification leads", () => {
  it("opens the app page it names, else its consultation, else the record for records news", () => {
    expect(destination({ ...notice("a", 1), link: { consultation_id: "c-1", url: "/consultations/c-1/call" } }))
      .toBe("/consultations/c-1/call");
    expect(destination({ ...notice("a", 1), link: { consultation_id: "c-1" } })).toBe("/consultations/c-1");
    expect(destination({ ...notice("a", 1), category: "records", link: {} })).toBe("/record");
    expect(destination({ ...notice("a", 1), link: {} })).toBeNull();
  });

  it("never leaves the app for another site", () => {
    expect(destination({ ...notice("a", 1), link: { url: "//evil.example/x" } })).toBeNull();
    expect(destination({ ...notice("a", 1), link: { url: "https://evil.example/x" } })).toBeNull();
  });
});
