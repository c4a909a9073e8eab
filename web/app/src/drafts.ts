// A form kept on the phone until it is saved: what it shows once the saved value is read again.

/** What was typed (`edited`) on top of which saved value (`saved`). */
export interface Draft<T> {
  edited: T;
  saved: T;
}

/** The kept draft when it was typed on top of this very saved value and changes it; otherwise
 * the saved value, and `stale` when a draft was dropped: typed on an older value (changed since
 * from another phone), it would undo that change. */
export function resumed<T>(
  draft: Draft<T> | null,
  saved: T,
  same: (a: T, b: T) => boolean,
): { value: T; restored: boolean; stale: boolean } {
  if (draft && same(draft.saved, saved) && !same(draft.edited, saved)) {
    return { value: draft.edited, restored: true, stale: false };
  }
  return { value: saved, restored: false, stale: draft !== null };
}
