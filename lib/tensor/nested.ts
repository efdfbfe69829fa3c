import { allocArray, type DType, type TypedArray } from "./dtype.js";
import { GradlabError, ShapeError } from "./errors.js";

export type Nested = number | boolean | Nested[];
export type NestedInput = number | boolean | readonly NestedInput[] | TypedArray;

function path(p: number[]): string {
  return p.length ? p.map((i) => `[${i}]`).join("") : "the value";
}

/** Shape and flat values of nested arrays; ragged or non-numeric input is an error that says where. */
export function flatten(data: NestedInput): { shape: number[]; values: (number | boolean)[]; hasFloat: boolean; hasBool: boolean; hasNumber: boolean } {
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe) || ArrayBuffer.isView(probe)) {
    const arr = probe as ArrayLike<unknown>;
    shape.push(arr.length);
    if (arr.length === 0) break;
    probe = arr[0];
  }
  const values: (number | boolean)[] = [];
  let hasFloat = false;
  let hasBool = false;
  let hasNumber = false;
  const walk = (v: unknown, depth: number, at: number[]): void => {
    if (depth === shape.length) {
      if (typeof v === "number") {
        hasNumber = true;
        if (!Number.isInteger(v)) hasFloat = true;
      } else if (typeof v === "boolean") hasBool = true;
      else {
        throw new GradlabError(`tensor: ${path(at)} is ${Array.isArray(v) ? "an array where a number was expected (the nesting is ragged)" : `${typeof v} ${String(v)}`}; tensors hold numbers or booleans`);
      }
      values.push(v);
      return;
    }
    if (!Array.isArray(v) && !ArrayBuffer.isView(v)) {
      throw new ShapeError(`tensor: ragged nested array: ${path(at)} is a number but its siblings are arrays of length ${shape[depth]}`);
    }
    const arr = v as ArrayLike<unknown>;
    if (arr.length !== shape[depth]) {
      throw new ShapeError(`tensor: ragged nested array: ${path(at)} has length ${arr.length} but ${path(at.slice(0, -1).concat(0))} has ${shape[depth]}; every row must have the same length`);
    }
    for (let i = 0; i < arr.length; i++) walk(arr[i], depth + 1, at.concat(i));
  };
  walk(data, 0, []);
  return { shape, values, hasFloat, hasBool, hasNumber };
}

export function toNested(flat: TypedArray, shape: readonly number[], dtype: DType): Nested {
  const conv = dtype === "bool" ? (v: number) => v !== 0 : (v: number) => v;
  if (shape.length === 0) return conv(flat[0]!);
  let pos = 0;
  const build = (d: number): Nested[] => {
    const n = shape[d]!;
    const out = new Array<Nested>(n);
    if (d === shape.length - 1) {
      for (let i = 0; i < n; i++) out[i] = conv(flat[pos++]!);
    } else {
      for (let i = 0; i < n; i++) out[i] = build(d + 1);
    }
    return out;
  };
  return build(0);
}

export function fillTyped(values: readonly (number | boolean)[], dtype: DType): TypedArray {
  const out = allocArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) out[i] = Number(values[i]);
  return out;
}
