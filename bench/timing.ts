/** Median time per call of `fn` in microseconds, after warm-up; `reps` calls per sample. */
export function timeUs(fn: () => void, { reps = 1, samples = 15, warmup = 3 } = {}): number {
  for (let i = 0; i < warmup; i++) for (let r = 0; r < reps; r++) fn();
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    times.push(((performance.now() - t0) * 1000) / reps);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
