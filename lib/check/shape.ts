import { Tensor } from "../tensor/tensor.js";
import { readValues } from "./values.js";
import { fmtShape } from "./format.js";
import { shapeHints } from "./hints.js";
import { fail, label, pass } from "./report.js";

/** A tensor (or anything with a `shape`, or nested arrays) has the `expected` shape; -1 matches any size. */
export function shape(value: unknown, expected: readonly number[], name?: string): void {
  const what = label(name, "the result");
  if (!Array.isArray(expected) || expected.some((d) => !Number.isInteger(d) || d < -1)) {
    fail(`check.shape: the expected shape of ${what} must be an array of sizes like [2, 3] (-1 for any), got ${JSON.stringify(expected)}.`);
  }
  const actual = shapeOf(value, what);
  const matches = actual.length === expected.length && expected.every((d, i) => d === -1 || d === actual[i]);
  const want = `[${expected.map((d) => (d === -1 ? "any" : String(d))).join(", ")}]`;
  if (matches) return pass(`${what} has shape ${fmtShape(actual)}`);
  const concrete = expected.map((d, i) => (d === -1 ? (actual[i] ?? 1) : d));
  const rank = actual.length !== expected.length ? [`it has ${actual.length} ${actual.length === 1 ? "axis" : "axes"}, ${expected.length} were expected.`] : [];
  fail(`${what} has shape ${fmtShape(actual)}, but ${want} was expected.`, rank, shapeHints(actual, concrete));
}

function shapeOf(value: unknown, what: string): readonly number[] {
  if (value instanceof Tensor) return value.shape;
  if (value !== null && typeof value === "object" && "shape" in value && Array.isArray((value as { shape: unknown }).shape)) {
    return (value as { shape: number[] }).shape;
  }
  return readValues(value, what).shape;
}
