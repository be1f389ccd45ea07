// A seeded PRNG for the demo generator. mulberry32: tiny, fast, and the same sequence on
// every platform, so the demo data is byte-for-byte reproducible (Math.random never is).
export type TRandom = ReturnType<typeof createRandom>;

export function mulberry32(seed: number) {
  let state = seed >>> 0;

  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);

    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function createRandom(seed: number) {
  const next = mulberry32(seed);
  const random = {
    next,
    /** Integer in [min, max], both included. */
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability: number) => next() < probability,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    /** Picks by weight: [[value, weight], ...]. */
    weighted: <O extends readonly (readonly [unknown, number])[]>(options: O): O[number][0] => {
      const total = options.reduce((sum, [, weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [value, weight] of options) {
        roll -= weight;
        if (roll < 0) return value;
      }

      return options[options.length - 1]![0];
    },
    shuffle: <T>(items: readonly T[]): T[] => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }

      return copy;
    },
    digits: (count: number) => Array.from({ length: count }, () => Math.floor(next() * 10)).join(""),
  };

  return random;
}
