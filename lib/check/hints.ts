import { fmtNum, fmtShape } from "./format.js";

/**
 * Guesses at *why* two same-shaped value sets differ, from patterns common in student code:
 * NaN/Infinity, a flipped sign, a constant factor (a forgotten ½ or 1/m), a constant offset,
 * a transposed matrix, all zeros. Each returns advice, not a verdict.
 */
export function valueHints(actual: Float64Array, expected: Float64Array, shape: readonly number[]): string[] {
  const hints: string[] = [];
  const nanAt = actual.findIndex((v) => Number.isNaN(v));
  if (nanAt >= 0 && !expected.some((v) => Number.isNaN(v))) {
    hints.push("your result contains NaN: typically 0/0, the log of 0 or of a negative number, or Infinity − Infinity. Look at divisions and logs.");
  }
  if (actual.some((v) => v === Infinity || v === -Infinity) && expected.every((v) => Number.isFinite(v))) {
    hints.push("your result contains ±Infinity: an exp() that overflowed (e^x for x > 88 in float32) or a division by zero; use a numerically stable formula.");
  }
  if (hints.length) return hints;

  const big = (v: number) => Math.abs(v) > 1e-6;
  if (actual.every((v) => v === 0) && expected.some(big)) {
    hints.push("your result is all zeros: was a value never assigned, or did a gradient not flow (a detached tensor, a forgotten requiresGrad)?");
    return hints;
  }
  const ratio = constantRatio(actual, expected);
  // Any two single numbers have *some* ratio; only the telltale ones (−1, 2, ½) mean something then.
  const single = actual.length === 1;
  if (ratio !== null) {
    if (Math.abs(ratio + 1) < 1e-3) hints.push("every value has the wrong sign: check the order of a subtraction (ŷ − y vs y − ŷ) or a missing minus.");
    else if (!single || Math.abs(ratio - 2) < 1e-3 || Math.abs(ratio - 0.5) < 1e-3) hints.push(factorHint(ratio));
  }
  const offset = single ? null : constantOffset(actual, expected);
  if (offset !== null) hints.push(`every value is off by the same amount (${fmtNum(offset)}): a constant term, such as a bias, was added or left out.`);
  if (shape.length === 2 && shape[0] === shape[1] && shape[0]! > 1 && isTranspose(actual, expected, shape[0]!)) {
    hints.push("your matrix is the transpose of the expected one: swap the operands of a matmul, or add/remove a .T.");
  }
  return hints;
}

function factorHint(r: number): string {
  const f = fmtNum(r);
  const near = (x: number) => Math.abs(r - x) < 1e-3 * Math.max(1, Math.abs(x));
  if (near(2) || near(0.5)) return `every value is ${f}× the expected one: a factor of 2 — a missing or extra ½ (the derivative of x² is 2x)?`;
  const whole = Math.round(r >= 1 ? r : 1 / r);
  if (whole > 2 && near(r >= 1 ? whole : 1 / whole)) {
    return `every value is ${f}× the expected one: a factor of ${whole} — a sum where a mean over ${whole} examples was meant (or the other way round)? Check the 1/m.`;
  }
  return `every value is ${f}× the expected one: a constant factor is off (a learning rate, a scale, a 1/m?).`;
}

/** The common ratio actual/expected if there is one (ignoring near-zero expectations). */
function constantRatio(actual: Float64Array, expected: Float64Array): number | null {
  let r: number | null = null;
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i]!;
    if (Math.abs(e) < 1e-6) {
      if (Math.abs(actual[i]!) > 1e-6) return null;
      continue;
    }
    const q = actual[i]! / e;
    if (r === null) r = q;
    else if (Math.abs(q - r) > 1e-3 * Math.max(1, Math.abs(r))) return null;
  }
  return r !== null && Math.abs(r - 1) > 1e-3 && Math.abs(r) > 1e-9 ? r : null;
}

function constantOffset(actual: Float64Array, expected: Float64Array): number | null {
  if (actual.length < 2) return null;
  const d = actual[0]! - expected[0]!;
  if (Math.abs(d) < 1e-6) return null;
  for (let i = 1; i < actual.length; i++) if (Math.abs(actual[i]! - expected[i]! - d) > 1e-4 * Math.max(1, Math.abs(d))) return null;
  return d;
}

function isTranspose(actual: Float64Array, expected: Float64Array, n: number): boolean {
  let symmetric = true;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const e = expected[j * n + i]!;
      if (Math.abs(actual[i * n + j]! - e) > 1e-5 * Math.max(1, Math.abs(e))) return false;
      if (i !== j && Math.abs(expected[i * n + j]! - e) > 1e-9) symmetric = false;
    }
  }
  // A symmetric matrix is its own transpose: that would not explain anything.
  return !symmetric;
}

/** Why a result might have come out with the wrong shape. */
export function shapeHints(actual: readonly number[], expected: readonly number[]): string[] {
  const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  const hints: string[] = [];
  const a = actual.filter((d) => d !== 1);
  const e = expected.filter((d) => d !== 1);
  if (actual.length === 2 && expected.length === 2 && actual[0] === expected[1] && actual[1] === expected[0]) {
    hints.push("the axes are swapped: the result is transposed. Use .T, or swap the operands of matmul (for Linear, the weight is [in, out] and y = x·W + b).");
  } else if (size(actual) === size(expected) && a.length === e.length && a.every((d, i) => d === e[i])) {
    hints.push(`only axes of size 1 differ: use .reshape(${expected.join(", ")}) (a flat vector [n] and a column [n, 1] are different shapes).`);
  } else if (size(actual) === size(expected)) {
    hints.push(`the number of elements (${size(actual)}) is right but arranged differently: .reshape(${expected.join(", ")}) or a transpose?`);
  } else if (size(actual) === 1 && size(expected) > 1) {
    hints.push("a single number where a tensor was expected: a sum()/mean() over everything? Pass an axis, e.g. .sum(0).");
  } else if (size(expected) === 1 && size(actual) > 1) {
    hints.push("a tensor where a single number was expected: reduce it with .sum() or .mean().");
  } else if (broadcastsTo(expected, actual)) {
    hints.push(`[${expected.join(", ")}] grew to ${fmtShape(actual)} by broadcasting: two operands had shapes like [n] and [n, 1]. Reshape one so they match before combining them.`);
  }
  return hints;
}

/** True when `big` is what broadcasting `small` against something else could produce. */
function broadcastsTo(small: readonly number[], big: readonly number[]): boolean {
  if (big.length < small.length) return false;
  const off = big.length - small.length;
  return big.length > small.length || small.some((d, i) => d === 1 && big[off + i]! > 1)
    ? small.every((d, i) => d === 1 || d === big[off + i])
    : false;
}
