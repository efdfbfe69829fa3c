import { Tensor } from "../tensor/tensor.js";
import type { TypedArray } from "../tensor/dtype.js";
import { fail } from "./report.js";

/** Anything a check can compare: a tensor, a number, a boolean, or (nested) arrays of them. */
export type Checkable = Tensor | number | boolean | TypedArray | readonly Checkable[];

/** A value reduced to what comparisons need: its shape and its elements as float64. */
export interface Values {
  readonly shape: readonly number[];
  readonly data: Float64Array;
  /** "tensor" or "array"/"number": messages then say "tensor of shape …" or "array". */
  readonly kind: "tensor" | "array" | "number";
}

/**
 * Reads `v` synchronously. Mistakes students make before a value even exists (a missing
 * `await`, a function without `return`) get their own explanations here, since every check
 * goes through this.
 */
export function readValues(v: unknown, what: string): Values {
  if (v instanceof Tensor) return readTensor(v, what);
  if (typeof v === "number") return { shape: [], data: Float64Array.of(v), kind: "number" };
  if (typeof v === "boolean") return { shape: [], data: Float64Array.of(v ? 1 : 0), kind: "number" };
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) return readNested(v as ArrayLike<unknown>, what);
  return fail(`${what} is ${describeNonValue(v)}, not a tensor, number or array.`, [], hintsForNonValue(v));
}

/**
 * Reads several values for one check: synchronously when all of them allow it (numbers, arrays,
 * CPU tensors), so a failing check throws right where it is called; through one promise when a
 * tensor lives on a GPU backend, whose values can only be awaited — the check must then be awaited.
 */
export function withValues<R>(items: readonly (readonly [unknown, string])[], use: (values: Values[]) => R): R | Promise<R> {
  const needsAwait = items.some(([v]) => v instanceof Tensor && !v.backend.syncReadback);
  if (!needsAwait) return use(items.map(([v, what]) => readValues(v, what)));
  const read = async ([v, what]: readonly [unknown, string]): Promise<Values> =>
    v instanceof Tensor && !v.backend.syncReadback
      ? { shape: [...v.shape], data: Float64Array.from((await v.data()) as ArrayLike<number>), kind: "tensor" }
      : readValues(v, what);
  return Promise.all(items.map(read)).then(use);
}

function readTensor(t: Tensor, what: string): Values {
  if (!t.backend.syncReadback) {
    // Only reached for tensors nested inside arrays; top-level tensors go through withValues.
    fail(
      `${what} holds a tensor on the ${t.device} backend, whose values can only be read with await.`,
      [],
      [`read it first, e.g. \`await t.item()\`, or pass the tensor itself rather than an array of tensors.`],
    );
  }
  // Reading may throw (a disposed tensor); its own error already says why.
  const raw = t.dataSync();
  return { shape: [...t.shape], data: Float64Array.from(raw as ArrayLike<number>), kind: "tensor" };
}

function readNested(arr: ArrayLike<unknown>, what: string): Values {
  const shape: number[] = [];
  let probe: unknown = arr;
  while (Array.isArray(probe) || (ArrayBuffer.isView(probe) && !(probe instanceof DataView))) {
    const a = probe as ArrayLike<unknown>;
    shape.push(a.length);
    if (a.length === 0) break;
    probe = a[0];
  }
  const out: number[] = [];
  const walk = (v: unknown, depth: number, at: string): void => {
    if (depth === shape.length) {
      if (typeof v === "number") out.push(v);
      else if (typeof v === "boolean") out.push(v ? 1 : 0);
      else if (v instanceof Tensor && v.size === 1) out.push(readTensor(v, `${what}${at}`).data[0]!);
      else fail(`${what}${at} is ${describeNonValue(v)}; every element must be a number.`);
      return;
    }
    const isArr = Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
    const len = isArr ? (v as ArrayLike<unknown>).length : -1;
    if (len !== shape[depth]) {
      fail(`${what} is a ragged array: ${what}${at} has ${len < 0 ? "no" : len} elements where ${shape[depth]} were expected.`, [], [
        "every row of a nested array must have the same length, like the rows of a matrix.",
      ]);
    }
    for (let i = 0; i < len; i++) walk((v as ArrayLike<unknown>)[i], depth + 1, `${at}[${i}]`);
  };
  walk(arr, 0, "");
  return { shape, data: Float64Array.from(out), kind: "array" };
}

function describeNonValue(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (v instanceof Promise) return "a Promise";
  if (typeof v === "function") return "a function";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  if (typeof v === "object") return `an object (${(v as object).constructor?.name ?? "Object"})`;
  return `a ${typeof v}`;
}

function hintsForNonValue(v: unknown): string[] {
  if (v === undefined) return ["a function that computes a value must `return` it; check that yours does (and that the variable was assigned)."];
  if (v instanceof Promise) return ["add `await` in front of the call (readbacks like `t.data()`, `t.item()` and `train.fit` are async)."];
  if (typeof v === "function") return ["you passed the function itself; call it, e.g. `f(x)` instead of `f`."];
  if (typeof v === "string") return ["convert text to a number with Number(...), or compare strings with check.equal."];
  return [];
}
