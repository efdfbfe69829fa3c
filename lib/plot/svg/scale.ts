/** A linear map from data values to pixels, with "nice" ticks (1, 2, 2.5 or 5 times a power of ten). */
export interface Scale {
  readonly lo: number;
  readonly hi: number;
  (v: number): number;
  ticks: number[];
}

export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.ceil(lo / step - 1e-9);
  const out: number[] = [];
  // Multiples of the step, rounded to it, so 3 × 0.2 is 0.6 and not 0.6000000000000001.
  for (let k = first; k * step <= hi + step * 1e-9; k++) out.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
  return out;
}

/** `lo`..`hi` onto pixels `p0`..`p1` (p1 < p0 for a y axis pointing up). */
export function linearScale(lo: number, hi: number, p0: number, p1: number, tickCount: number): Scale {
  if (!(hi > lo)) [lo, hi] = [lo - 1, hi + 1];
  const k = (p1 - p0) / (hi - lo);
  const s = ((v: number) => p0 + (v - lo) * k) as Scale;
  Object.assign(s, { lo, hi, ticks: niceTicks(lo, hi, tickCount) });
  return s;
}

/** A tick label: few digits, no float noise (0.30000000000000004 → 0.3), exponents for extremes. */
export function tickLabel(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace("e+", "e");
  return String(Number(v.toPrecision(6)));
}
