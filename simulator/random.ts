// Reproducible randomness for simulations: a small seeded PRNG (mulberry32) and helpers to pick by weight.

/** A function returning uniform numbers in [0, 1). */
export type Random = () => number;

/** A seeded PRNG (mulberry32): the same seed gives the same sequence; not for cryptography. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Picks an item with probability proportional to its weight (items without a weight count 1).
 * @throws {TypeError} when the list is empty or the weights sum to 0.
 */
export function pickWeighted<T extends { weight?: number }>(items: readonly T[], random: Random): T {
  let total = 0;
  for (const it of items) total += Math.max(0, it.weight ?? 1);
  if (items.length === 0 || !(total > 0)) throw new TypeError('pickWeighted: needs at least one item with a positive weight');
  let x = random() * total;
  for (const it of items) {
    x -= Math.max(0, it.weight ?? 1);
    if (x < 0) return it;
  }
  return items[items.length - 1];
}

/** A value, or a range to draw uniformly from. */
export type Spread = number | { min: number; max: number };

/** Draws from a {@link Spread}. */
export function draw(s: Spread, random: Random): number {
  return typeof s === 'number' ? s : s.min + (s.max - s.min) * random();
}
