import { expect } from "vitest";
import type { Nested, Tensor } from "../../lib/index.js";

/** Asserts a tensor's shape and values (within `tol` for floats). */
export function expectTensor(t: Tensor, expected: Nested, tol = 1e-5): void {
  const actual = t.arraySync();
  expectClose(actual, expected, tol);
}

export function expectClose(actual: Nested, expected: Nested, tol = 1e-5, at = "value"): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${at} should be an array`).toBe(true);
    const a = actual as Nested[];
    expect(a.length, `${at} length`).toBe(expected.length);
    expected.forEach((e, i) => expectClose(a[i]!, e, tol, `${at}[${i}]`));
    return;
  }
  if (typeof expected === "number" && typeof actual === "number") {
    if (Number.isNaN(expected)) expect(Number.isNaN(actual), `${at} should be NaN`).toBe(true);
    else if (!Number.isFinite(expected)) expect(actual, at).toBe(expected);
    else expect(Math.abs(actual - expected), `${at}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
    return;
  }
  expect(actual, at).toEqual(expected);
}

/** `expectTensor` for every backend: reads the values asynchronously, as WebGPU requires. */
export async function expectTensorAsync(t: Tensor, expected: Nested, tol = 1e-5): Promise<void> {
  expectClose(await t.array(), expected, tol);
}
