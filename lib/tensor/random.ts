/**
 * The seeded generator behind rand/randn/dropout/shuffling: xoshiro128** (fast, 128-bit state,
 * good statistical quality). Numbers are drawn on the CPU and uploaded, so a seed gives the same
 * values on every backend.
 */
export class Xoshiro128 {
  private s = new Uint32Array(4);

  constructor(seed: number) {
    this.seed(seed);
  }

  seed(seed: number): void {
    // splitmix32 spreads any seed (even 0) over the whole state.
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const rng = new Xoshiro128(Date.now() ^ (Math.random() * 4294967296));

/** Makes every later random draw (rand, randn, dropout, shuffles, toy data sets) repeatable. */
export function manualSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new Error(`manualSeed: the seed must be a finite number, got ${seed}`);
  rng.seed(Math.trunc(seed));
}

export function uniform(): number {
  return rng.uniform();
}

/** Standard normal by Box-Muller (u1 kept away from 0 so log stays finite). */
export function normal(): number {
  return normalFrom(rng);
}

export function normalFrom(g: Xoshiro128): number {
  const u1 = (g.nextU32() + 1) / 4294967297;
  const u2 = g.uniform();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A whole number in [0, n). */
export function randomInt(n: number): number {
  return Math.floor(rng.uniform() * n);
}
