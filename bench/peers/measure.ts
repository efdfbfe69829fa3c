import type { Case } from "./peer.js";

export interface Timing {
  /** Calls per timed sample (amortises timer resolution for sub-µs ops). */
  readonly reps: number;
  readonly warmup: number;
  /** Sampling stops after this long (but takes at least `minSamples`). */
  readonly budgetMs: number;
  readonly minSamples: number;
  readonly maxSamples: number;
}

/**
 * Median µs per `run`. Between samples the event loop turns once, for every system alike:
 * that is when a garbage-collected library (gradlab) gets finalizers run and recycles memory,
 * as it does between notebook cells or awaits; TF.js frees explicitly inside `run`.
 * `yieldBetween: false` measures a synchronous loop that never yields.
 */
export async function medianUs(c: Case, t: Timing, yieldBetween = true): Promise<number> {
  for (let i = 0; i < t.warmup; i++) c.run();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < t.minSamples || (times.length < t.maxSamples && performance.now() - start < t.budgetMs)) {
    if (yieldBetween) await new Promise<void>((r) => setImmediate(r));
    const t0 = performance.now();
    for (let r = 0; r < t.reps; r++) c.run();
    times.push(((performance.now() - t0) * 1000) / t.reps);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Copy bandwidth of this machine for a buffer of `n` floats (read + write bytes), GB/s. */
export function copyBandwidth(n: number): number {
  const src = new Float32Array(n).fill(1);
  const dst = new Float32Array(n);
  for (let i = 0; i < 5; i++) dst.set(src);
  let best = Infinity;
  for (let s = 0; s < 30; s++) {
    const t0 = performance.now();
    dst.set(src);
    best = Math.min(best, performance.now() - t0);
  }
  return (8 * n) / (best * 1e6);
}
