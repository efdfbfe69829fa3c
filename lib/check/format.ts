/** Number, index and array formatting for check messages: short, exact for integers. */

export function fmtNum(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  // 1e-6 rather than 1.000e-6: trailing zeros of the mantissa say nothing.
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return v.toExponential(3).replace(/\.?0+e/, "e");
  // Six significant digits, without trailing zeros: 0.333333, 2.5, 46.0001.
  return String(Number(v.toPrecision(6)));
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** "[1, 0]" for a multi-axis index; "" for a scalar (nothing to point at). */
export function fmtIndex(index: readonly number[]): string {
  return index.length ? `[${index.join(", ")}]` : "";
}

/** Flat position → per-axis index for a row-major shape. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    idx[d] = flat % n;
    flat = Math.floor(flat / n);
  }
  return idx;
}

/** Nested-array text of flat values, for messages about small tensors. */
export function fmtValues(values: ArrayLike<number>, shape: readonly number[]): string {
  if (shape.length === 0) return fmtNum(values[0]!);
  const render = (d: number, base: number): string => {
    const stride = shape.slice(d + 1).reduce((a, b) => a * b, 1);
    const parts: string[] = [];
    for (let i = 0; i < shape[d]!; i++) {
      parts.push(d === shape.length - 1 ? fmtNum(values[base + i]!) : render(d + 1, base + i * stride));
    }
    return `[${parts.join(", ")}]`;
  };
  return render(0, 0);
}

/** Values are spelled out in messages only while they stay readable. */
export const SHOW_MAX = 24;
