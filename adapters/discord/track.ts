/**
 * Work that goes on after an event was taken (replies, feedback, follow-ups of slow commands).
 * `idle()` resolves when none is left, so `stop()` can let it finish and tests can wait for it.
 */
export type Track = <T>(work: Promise<T>) => Promise<T>;

export function createTracker(): { track: Track; idle: () => Promise<void> } {
  const pending = new Set<Promise<unknown>>();

  const track: Track = (work) => {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    pending.add(settled);
    void settled.then(() => pending.delete(settled));
    return work;
  };

  const idle = async () => {
    // A reply can cause more work (its own MESSAGE_CREATE): loop until none is left.
    while (pending.size > 0) await Promise.all([...pending]);
  };

  return { track, idle };
}
