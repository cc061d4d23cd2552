/**
 * A small seeded random number generator (mulberry32 over a splitmix32-scrambled seed). Training
 * draws every random number from one of these so a fixed seed gives bit-identical weights: batch
 * order, parameter initialisation, dropout masks and the dev split. `Math.random` is never used.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Fills `out` with the raw 32-bit draws behind next() (next() = draw / 2^32). */
  fillBits(out: Uint32Array): void;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
  /** An independent generator derived from this one's seed and a label, for a separate stream. */
  fork(label: string): Rng;
}

function splitmix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function hashLabel(label: string): number {
  // FNV-1a over UTF-16 code units: stable across processes and platforms.
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const MULBERRY_STEP = 0x6d2b79f5;

/** mulberry32's output for a state: the draw that state gives. */
function mulberryMix(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

export function createRng(seed: number): Rng {
  const base = splitmix32(seed >>> 0);
  let state = base;
  let spare: number | undefined;

  /** One mulberry32 step: the next raw 32-bit draw. */
  const draw = (): number => {
    state = (state + MULBERRY_STEP) | 0;
    return mulberryMix(state);
  };
  const next = (): number => draw() / 4294967296;

  const normal = (): number => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const u = 1 - next();
    const v = next();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };

  // draw() in a loop on a local copy of the state: reading and writing the closure's variable
  // on every draw took 2.4 times as long (0.153 against 0.063 ms for 32,768 draws), and dropout
  // masks take hundreds of thousands of draws per training step.
  const fillBits = (out: Uint32Array): void => {
    let local = state;
    for (let i = 0; i < out.length; i++) {
      local = (local + MULBERRY_STEP) | 0;
      out[i] = mulberryMix(local);
    }
    state = local;
  };

  return {
    next,
    fillBits,
    normal,
    int: (n) => Math.floor(next() * n),
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
    fork: (label) => createRng(splitmix32(base ^ hashLabel(label))),
  };
}
