import { describe, expect, it } from "vitest";
import { resumed } from "./drafts";

const same = (a: { fee: number }, b: { fee: number }) => a.fee === b.fee;

describe("a form kept on the phone", () => {
  it("comes back when it was typed on top of what is still saved", () => {
    expect(resumed({ edited: { fee: 6500 }, saved: { fee: 5000 } }, { fee: 5000 }, same))
      .toEqual({ value: { fee: 6500 }, restored: true, stale: false });
  });

  it("is dropped when the saved value changed since (another phone): it would undo that", () => {
    expect(resumed({ edited: { fee: 6500 }, saved: { fee: 5000 } }, { fee: 7000 }, same))
      .toEqual({ value: { fee: 7000 }, restored: false, stale: true });
  });

  it("is dropped when it changes nothing, and without one the saved value shows", () => {
    expect(resumed({ edited: { fee: 5000 }, saved: { fee: 5000 } }, { fee: 5000 }, same).stale).toBe(true);
    expect(resumed(null, { fee: 5000 }, same)).toEqual({ value: { fee: 5000 }, restored: false, stale: false });
  });
});
