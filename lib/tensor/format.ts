import type { DType, TypedArray } from "./dtype.js";
import { isFloat } from "./dtype.js";

interface Described {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly requiresGrad: boolean;
  readonly gradFn: string | null;
}

const EDGE = 3;
const ELIDE_ABOVE = 1000;
const INDENT = "tensor(".length;

/** Number formatting shared by all elements, chosen like PyTorch: integers, fixed 4 dp, or e-notation. */
export function numberFormatter(values: ArrayLike<number>, dtype: DType): (v: number) => string {
  if (dtype === "bool") return (v) => (v ? "true" : "false");
  if (!isFloat(dtype)) return (v) => String(v);
  let maxAbs = 0;
  let minAbs = Infinity;
  let allInt = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a !== 0 && a < minAbs) minAbs = a;
    if (!Number.isInteger(v)) allInt = false;
  }
  const special = (v: number) => (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
  const sci = maxAbs >= 1e8 || (minAbs !== Infinity && (minAbs < 1e-4 || maxAbs / minAbs > 1e3) && !allInt);
  if (allInt && !sci) return (v) => (Number.isFinite(v) ? `${v}.` : special(v));
  if (sci) return (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2") : special(v));
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}

/** Which indices to show on each axis: all, or the first and last EDGE with -1 marking "...". */
function pickIndices(shape: readonly number[], elide: boolean): number[][] {
  return shape.map((n) =>
    elide && n > 2 * EDGE
      ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)]
      : [...Array(n).keys()],
  );
}

/** The PyTorch-style text of a tensor's values, with shape, dtype and grad info after. */
export function formatTensor(values: TypedArray, t: Described): string {
  const { shape, dtype } = t;
  const size = values.length;
  const elide = size > ELIDE_ABOVE;
  const picks = pickIndices(shape, elide);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const shown: number[] = [];
  const collect = (d: number, base: number): void => {
    if (d === shape.length) {
      shown.push(values[base]!);
      return;
    }
    for (const i of picks[d]!) if (i >= 0) collect(d + 1, base + i * strides[d]!);
  };
  collect(0, 0);
  const fmt = numberFormatter(shown, dtype);
  const width = shown.reduce((w, v) => Math.max(w, fmt(v).length), 1);
  const cell = (v: number) => fmt(v).padStart(width);
  const render = (d: number, base: number, indent: number): string => {
    if (d === shape.length) return cell(values[base]!);
    const parts = picks[d]!.map((i) => (i < 0 ? "..." : render(d + 1, base + i * strides[d]!, indent + 1)));
    if (d === shape.length - 1) return `[${parts.join(", ")}]`;
    const sep = "," + "\n".repeat(shape.length - 1 - d) + " ".repeat(indent + 1);
    return `[${parts.join(sep)}]`;
  };
  let body = shape.length === 0 ? fmt(values[0]!) : render(0, 0, INDENT);
  if (size === 0) body = "[]";
  const extras: string[] = [];
  if (shape.length >= 2 || elide || size === 0) extras.push(`shape=[${shape.join(", ")}]`);
  if (dtype !== "float32") extras.push(`dtype=${dtype}`);
  if (t.gradFn) extras.push(`gradFn=${t.gradFn}`);
  else if (t.requiresGrad) extras.push("requiresGrad=true");
  return `tensor(${body}${extras.length ? ", " + extras.join(", ") : ""})`;
}
