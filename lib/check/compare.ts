import { withValues, type Checkable, type Values } from "./values.js";
import { fmtIndex, fmtNum, fmtShape, fmtValues, unravel, SHOW_MAX } from "./format.js";
import { shapeHints, valueHints } from "./hints.js";
import { fail, label, pass } from "./report.js";

/**
 * What a check returns: nothing once it has passed (it throws when it fails), or — when it has
 * to read a tensor from a GPU backend — a promise of that; `await check.close(…)` is right in both cases.
 */
export type CheckResult = void | Promise<void>;

export interface CloseOptions {
  /** Absolute tolerance (default 1e-4: float32 arithmetic is exact to about 7 digits). */
  tol?: number;
  /** Relative tolerance, scaled by |expected| (default 1e-4). */
  rtol?: number;
  /** What is being checked, e.g. "Hadamard product"; it names the value in every message. */
  name?: string;
  /** Extra advice shown when the check fails. */
  hint?: string;
}

export interface Mismatch {
  /** Flat positions that are out of tolerance. */
  bad: number[];
  maxDiff: number;
}

/** Elements of same-shaped `a` and `e` further apart than tol + rtol·|e| (NaN only matches NaN). */
export function mismatches(a: Float64Array, e: Float64Array, tol: number, rtol: number): Mismatch {
  const bad: number[] = [];
  let maxDiff = 0;
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue; // also equal infinities
    const d = Math.abs(x - y);
    if (!(d <= tol + rtol * Math.abs(y))) bad.push(i);
    if (d > maxDiff || Number.isNaN(d)) maxDiff = d;
  }
  return { bad, maxDiff };
}

export function checkSameShape(what: string, a: Values, e: Values): void {
  if (a.shape.length === e.shape.length && a.shape.every((d, i) => d === e.shape[i])) return;
  fail(`${what} has shape ${fmtShape(a.shape)}, but ${fmtShape(e.shape)} was expected.`, [], shapeHints(a.shape, e.shape));
}

/**
 * `actual` equals `expected` within tolerance, element by element, with the same shape. A
 * failure names the first element that differs, both values, and a guess at the cause.
 */
export function close(actual: Checkable, expected: Checkable, options: CloseOptions = {}): CheckResult {
  const what = label(options.name, "the result");
  return withValues([[actual, what], [expected, `the expected value of ${what}`]], ([a, e]) => closeValues(what, a!, e!, options));
}

function closeValues(what: string, a: Values, e: Values, options: CloseOptions): void {
  const tol = options.tol ?? 1e-4;
  const rtol = options.rtol ?? 1e-4;
  checkSameShape(what, a, e);
  const { bad, maxDiff } = mismatches(a.data, e.data, tol, rtol);
  if (bad.length === 0) {
    const n = e.data.length;
    const shown = fmtNum(a.data[0]!);
    if (n === 1) pass(`${what} = ${shown}${shown !== fmtNum(e.data[0]!) ? ` (expected ${fmtNum(e.data[0]!)})` : ""}`);
    else pass(`${what}: all ${n} values match${noticeable(maxDiff) ? ` (largest difference ${fmtNum(maxDiff)})` : ""}`);
    return;
  }
  reportMismatch(what, a, e, bad, tol, rtol, options.hint);
}

/** Float32 rounding (≈1e-7) is not worth mentioning in a success line; larger differences are. */
export function noticeable(diff: number): boolean {
  return diff >= 1e-6;
}

export function reportMismatch(what: string, a: Values, e: Values, bad: number[], tol: number, rtol: number, hint?: string): never {
  const first = bad[0]!;
  const x = a.data[first]!;
  const y = e.data[first]!;
  const where = fmtIndex(unravel(first, e.shape));
  const n = e.data.length;
  const headline = n === 1 ? `${what} is ${fmtNum(x)}, but ${fmtNum(y)} was expected.` : `${bad.length} of ${n} values of ${what} differ from the expected ones.`;
  const details: string[] = [];
  if (n > 1) details.push(`first at ${where}: got ${fmtNum(x)}, expected ${fmtNum(y)}`);
  details.push(`difference ${fmtNum(Math.abs(x - y))}, allowed ${fmtNum(tol + rtol * Math.abs(y))}`);
  if (n > 1 && n <= SHOW_MAX) {
    details.push(`got      ${fmtValues(a.data, a.shape)}`, `expected ${fmtValues(e.data, e.shape)}`);
  }
  const hints = valueHints(a.data, e.data, e.shape);
  if (hint) hints.push(hint);
  return fail(headline, details, hints);
}

/**
 * Exact equality: for counts, labels, strings and booleans (numbers in arrays and tensors
 * compare exactly too). Use `close` for results of float arithmetic.
 */
export function equal(actual: Checkable | string, expected: Checkable | string, name?: string): CheckResult {
  const what = label(name, "the result");
  if (typeof expected === "string" || typeof actual === "string") {
    if (actual === expected) return pass(`${what} is ${JSON.stringify(expected)}`);
    return fail(`${what} is ${typeof actual === "string" ? JSON.stringify(actual) : String(actual)}, but ${JSON.stringify(expected)} was expected.`);
  }
  return withValues([[actual, what], [expected, `the expected value of ${what}`]], ([a, e]) => equalValues(what, a!, e!));
}

function equalValues(what: string, a: Values, e: Values): void {
  checkSameShape(what, a, e);
  const { bad } = mismatches(a.data, e.data, 0, 0);
  if (bad.length === 0) {
    return pass(e.data.length === 1 ? `${what} = ${fmtNum(e.data[0]!)}` : `${what} equals ${e.data.length <= SHOW_MAX ? fmtValues(e.data, e.shape) : `the expected ${e.data.length} values`}`);
  }
  reportMismatch(what, a, e, bad, 0, 0);
}

/** A condition the caller computed; `what` states it ("the loss went down"), `hint` says what to try. */
export function ok(condition: boolean, what: string, hint?: string): void {
  if (typeof condition !== "boolean") {
    fail(`check.ok needs a true/false condition for "${what}", got ${typeof condition}.`, [], ["compare explicitly, e.g. `loss < 0.1`."]);
  }
  if (condition) return pass(what);
  fail(`expected: ${what} — but it is not so.`, [], hint ? [hint] : []);
}
