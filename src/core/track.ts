/**
 * Work that goes on after a platform event was acknowledged (replies, modals, follow-ups of slow
 * commands). `idle()` resolves when none is left, so an adapter's `stop()` can let it finish and
 * tests can wait for it.
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
    // New work can start while we wait (a reply triggers another event): loop until none is left.
    while (pending.size > 0) await Promise.all([...pending]);
  };

  return { track, idle };
}
