import type { Backend } from "../backend/backend.js";
import { currentBackend } from "../backend/registry.js";
import { allocArray, dtypeOfArray, isDType, isFloat, type DType, type TypedArray } from "./dtype.js";
import { DTypeError, GradlabError } from "./errors.js";
import { checkShape, sizeOf } from "./shape.js";
import { fillTyped, flatten, type NestedInput } from "./nested.js";
import { normal, uniform } from "./random.js";
import { Tensor } from "./tensor.js";

export interface TensorOptions {
  /** Element type; float32 unless the data says otherwise (booleans → bool, Int32Array → int32). */
  dtype?: DType;
  /** Track operations on this tensor so `backward()` can fill its `.grad`. */
  requiresGrad?: boolean;
}

function checkOptions(op: string, opts: TensorOptions, be: Backend = currentBackend()): void {
  if (opts === null || typeof opts !== "object") throw new GradlabError(`${op}: options must be an object like { dtype: "float32" }`);
  if (opts.dtype !== undefined && !isDType(opts.dtype)) {
    throw new DTypeError(`${op}: unknown dtype ${JSON.stringify(opts.dtype)}; use "float32", "float64", "int32" or "bool"`);
  }
  if (opts.dtype === "float64" && be.name !== "cpu") {
    throw new DTypeError(`${op}: float64 exists on the CPU backend only; use float32 or setBackend("cpu")`);
  }
}

function make(op: string, values: TypedArray, shape: readonly number[], dtype: DType, opts: TensorOptions, be: Backend = currentBackend()): Tensor {
  const t = Tensor.fromBuffer(be, be.upload(values), shape, dtype);
  if (opts.requiresGrad) {
    if (!isFloat(dtype)) throw new DTypeError(`${op}: only float tensors can require gradients, not ${dtype}`);
    t.requiresGrad = true;
  }
  return t;
}

function checkIntegral(op: string, values: ArrayLike<number | boolean>, dtype: DType): void {
  if (dtype !== "int32") return;
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (!Number.isInteger(v) || v > 2147483647 || v < -2147483648) {
      throw new DTypeError(`${op}: element ${i} is ${v}, which int32 cannot hold; round it first or use float32`);
    }
  }
}

/** A tensor from a number, boolean, nested array or typed array. */
export function tensor(data: NestedInput | Tensor, opts: TensorOptions = {}): Tensor {
  return tensorOn(currentBackend(), data, opts);
}

/** @internal `tensor` on a given backend (e.g. a gradient seed on its output's backend). */
export function tensorOn(be: Backend, data: NestedInput | Tensor, opts: TensorOptions = {}): Tensor {
  checkOptions("tensor", opts, be);
  if (data instanceof Tensor) {
    const t = (opts.dtype ? data.cast(opts.dtype) : data).detach().clone();
    if (opts.requiresGrad) t.requiresGrad = true;
    return t;
  }
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const arr = data as unknown as TypedArray;
    const native = arr instanceof Float32Array || arr instanceof Float64Array || arr instanceof Int32Array;
    const dtype = opts.dtype ?? (native ? dtypeOfArray(arr) : "int32");
    checkIntegral("tensor", arr, dtype);
    const values = allocArray(dtype, arr.length);
    values.set(arr as ArrayLike<number>);
    return make("tensor", values, [arr.length], dtype, opts, be);
  }
  const { shape, values, hasFloat, hasBool, hasNumber } = flatten(data);
  const dtype = opts.dtype ?? (hasBool && !hasNumber ? "bool" : "float32");
  void hasFloat;
  checkIntegral("tensor", values, dtype);
  return make("tensor", fillTyped(values, dtype), shape, dtype, opts, be);
}

/** A 0-d tensor. */
export function scalar(value: number | boolean, opts: TensorOptions = {}): Tensor {
  if (typeof value !== "number" && typeof value !== "boolean") throw new GradlabError(`scalar: expected a number, got ${typeof value}`);
  return tensor(value, opts);
}

type ShapeArg = number | readonly number[];

function shapeOf(op: string, shape: ShapeArg): number[] {
  return checkShape(typeof shape === "number" ? [shape] : (shape as number[]), op);
}

export function full(shape: ShapeArg, value: number | boolean, opts: TensorOptions = {}): Tensor {
  return fullOn(currentBackend(), shape, value, opts);
}

function fullOn(be: Backend, shape: ShapeArg, value: number | boolean, opts: TensorOptions): Tensor {
  checkOptions("full", opts, be);
  const s = shapeOf("full", shape);
  const dtype = opts.dtype ?? (typeof value === "boolean" ? "bool" : "float32");
  checkIntegral("full", [value], dtype);
  const t = Tensor.fromBuffer(be, be.fill(sizeOf(s), Number(value), dtype), s, dtype);
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

export function zeros(shape: ShapeArg, opts: TensorOptions = {}): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: ShapeArg, opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/** Zeros of t's shape and dtype, on t's backend (like PyTorch's zeros_like, which follows the device). */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return fullOn(t.backend, t.shape, 0, { dtype: t.dtype, ...opts });
}

/** Ones of t's shape and dtype, on t's backend. */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return fullOn(t.backend, t.shape, 1, { dtype: t.dtype, ...opts });
}

/** The n×m identity matrix (square when m is omitted). */
export function eye(n: number, m: number = n, opts: TensorOptions = {}): Tensor {
  checkOptions("eye", opts);
  const s = checkShape([n, m], "eye");
  const dtype = opts.dtype ?? "float32";
  const values = allocArray(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return make("eye", values, s, dtype, opts);
}

/** Evenly spaced values in [start, stop): arange(5), arange(2, 5), arange(0, 1, 0.25). int32 for whole-number arguments. */
export function arange(start: number, stop?: number, step = 1, opts: TensorOptions = {}): Tensor {
  checkOptions("arange", opts);
  if (stop === undefined) [start, stop] = [0, start];
  for (const [name, v] of [["start", start], ["stop", stop], ["step", step]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new GradlabError(`arange: ${name} must be a finite number, got ${v}`);
  }
  if (step === 0) throw new GradlabError("arange: step must not be 0");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const whole = Number.isInteger(start) && Number.isInteger(stop) && Number.isInteger(step);
  const dtype = opts.dtype ?? (whole ? "int32" : "float32");
  const values = allocArray(dtype, n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return make("arange", values, [n], dtype, opts);
}

/** n evenly spaced values from a to b, both included. */
export function linspace(a: number, b: number, n: number, opts: TensorOptions = {}): Tensor {
  checkOptions("linspace", opts);
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new GradlabError(`linspace: the ends must be finite numbers, got ${a} and ${b}`);
  if (!Number.isInteger(n) || n < 0) throw new GradlabError(`linspace: n must be a whole number ≥ 0, got ${n}`);
  const dtype = opts.dtype ?? "float32";
  const values = allocArray(dtype, n);
  for (let i = 0; i < n; i++) values[i] = n === 1 ? a : a + ((b - a) * i) / (n - 1);
  return make("linspace", values, [n], dtype, opts);
}

function random(op: string, shape: ShapeArg, draw: () => number, opts: TensorOptions): Tensor {
  checkOptions(op, opts);
  const s = shapeOf(op, shape);
  const dtype = opts.dtype ?? "float32";
  if (!isFloat(dtype)) throw new DTypeError(`${op}: random values are floats; use float32 or float64, not ${dtype}`);
  const values = allocArray(dtype, sizeOf(s));
  for (let i = 0; i < values.length; i++) values[i] = draw();
  return make(op, values, s, dtype, opts);
}

/** Uniform random values in [0, 1); repeatable after manualSeed. */
export function rand(shape: ShapeArg, opts: TensorOptions = {}): Tensor {
  return random("rand", shape, uniform, opts);
}

/** Standard normal random values; repeatable after manualSeed. */
export function randn(shape: ShapeArg, opts: TensorOptions = {}): Tensor {
  return random("randn", shape, normal, opts);
}

/** Random whole numbers in [low, high), int32. */
export function randint(low: number, high: number, shape: ShapeArg): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new GradlabError(`randint: need whole numbers low < high, got ${low} and ${high}`);
  }
  const s = shapeOf("randint", shape);
  const values = new Int32Array(sizeOf(s));
  for (let i = 0; i < values.length; i++) values[i] = low + Math.floor(uniform() * (high - low));
  return make("randint", values, s, "int32", {});
}
