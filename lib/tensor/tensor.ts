import type { Backend, BackendName } from "../backend/backend.js";
import { backendNamed } from "../backend/registry.js";
import type { Node } from "../autograd/node.js";
import { backward as runBackward } from "../autograd/backward.js";
import { isFloat, type DType, type TypedArray } from "./dtype.js";
import { DTypeError, GradlabError } from "./errors.js";
import { contiguousStrides, isContiguous, sizeOf } from "./shape.js";
import { Storage } from "./storage.js";
import { formatTensor } from "./format.js";
import { toNested, type Nested, type NestedInput } from "./nested.js";
import * as ew from "../ops/elementwise.js";
import * as red from "../ops/reduce.js";
import * as mv from "../ops/movement.js";
import * as mm from "../ops/matmul.js";
import * as ix from "../ops/indexing.js";
import { cast } from "../ops/cast.js";
import { softmax, logSoftmax } from "../ops/softmax.js";
import { tensorDisplay } from "./display.js";

export type Scalar = number | boolean;
export type TensorLike = Tensor | number;
/** A slice spec per axis: an index (drops the axis), null (all), or [start?, stop?, step?]. */
export type SliceSpec = number | null | readonly [number?, number?, number?];

/**
 * An n-dimensional array on a backend, with the autograd graph that made it.
 * Tensors are immutable: every op returns a new tensor (views share memory).
 */
export class Tensor {
  private _grad: Tensor | null = null;
  /**
   * Whether `_grad` may be held outside the engine: once user code has seen it (`grad` read, or
   * assigned), it is treated as immutable. Until then the engine alone holds it, so `backward`
   * and `zeroGrad` may free it when it is replaced (see autograd/backward.ts).
   */
  private _gradShared = false;
  /**
   * @internal an intermediate value no code but the graph can reach (between two built-in layers
   * of an nn.Sequential): `backward()` frees it once the gradients are computed, as PyTorch frees
   * the values a graph saved.
   */
  _graphOnly = false;
  /** @internal the op that produced this tensor, when it is part of a graph */
  node: Node | null = null;
  private _requiresGrad = false;
  private _retainGrad = false;
  /** @internal the last backward traversal that reached this tensor (autograd/backward.ts) */
  _mark = 0;
  /** @internal this tensor's position in that traversal's order */
  _slot = 0;

  /** @internal use `tensor()`, `zeros()`… to create tensors */
  constructor(
    /** @internal */ public storage: Storage,
    readonly shape: readonly number[],
    /** @internal */ public strides: readonly number[],
    /** @internal */ public offset: number,
    readonly dtype: DType,
  ) {
    storage.hold();
  }

  /** The gradient accumulated by `backward()`; assign null to reset. */
  get grad(): Tensor | null {
    if (this._grad) this._gradShared = true;
    return this._grad;
  }

  set grad(g: Tensor | null) {
    if (g === null) this._releaseGrad();
    else {
      this._grad = g;
      this._gradShared = true;
    }
  }

  /** @internal the gradient, without handing it out (it stays the engine's to free) */
  _peekGrad(): Tensor | null {
    return this._grad;
  }

  /** @internal stores a gradient whose buffer nothing else holds */
  _setOwnGrad(g: Tensor): void {
    this._grad = g;
    this._gradShared = false;
  }

  /**
   * @internal drops the gradient, freeing its buffer at once when no one else can hold it (the
   * engine made it, user code never saw it, and no view of it was made).
   */
  _releaseGrad(): void {
    const g = this._grad;
    this._grad = null;
    if (g && !this._gradShared && g.storage.holders === 1) g.storage.dispose();
  }

  /** @internal a fresh contiguous tensor around a backend buffer */
  static fromBuffer(backend: Backend, buf: unknown, shape: readonly number[], dtype: DType): Tensor {
    return new Tensor(new Storage(backend, buf), shape, contiguousStrides(shape), 0, dtype);
  }

  /** @internal the backend buffer, for kernels; a disposed tensor's memory may be reused, so using it is an error */
  get buf(): unknown {
    if (this.storage.disposed) throw new GradlabError(this.storage.disposedBecause);
    return this.storage.buf;
  }

  /** @internal */
  get backend(): Backend {
    return this.storage.backend;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  /** The backend holding this tensor's memory: "cpu" or "webgpu". */
  get device(): string {
    return this.storage.backend.name;
  }

  get isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /** Whether gradients flow back to this tensor. Only float tensors can require gradients. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(v: boolean) {
    if (v && !isFloat(this.dtype)) {
      throw new DTypeError(
        `requiresGrad: a ${this.dtype} tensor cannot have gradients (only float32/float64 can); create it with { dtype: "float32" } or call .float()`,
      );
    }
    if (!v && this.node) {
      throw new GradlabError("requiresGrad: this tensor was computed from tensors that need gradients; use .detach() for a copy outside the graph");
    }
    this._requiresGrad = v;
  }

  /** @internal marks an op result as part of the graph */
  _track(node: Node): this {
    this.node = node;
    this._requiresGrad = true;
    return this;
  }

  /** True for tensors not produced by a recorded op (inputs and parameters). */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** Name of the op that produced this tensor, if it is in a graph. */
  get gradFn(): string | null {
    return this.node ? this.node.op : null;
  }

  /** Keep `.grad` for this intermediate tensor during backward (leaves keep it anyway). */
  retainGrad(): this {
    if (!this._requiresGrad) throw new GradlabError("retainGrad: this tensor does not require gradients");
    this._retainGrad = true;
    return this;
  }

  /** @internal */
  get retainsGrad(): boolean {
    return this._retainGrad || this.node === null;
  }

  /**
   * Backpropagates from this tensor; a single-element tensor needs no `grad` argument.
   * `createGraph` records the gradients' own graph (for gradients of gradients). Afterwards the
   * intermediate values only the graph held (inside an nn.Sequential) are freed, unless
   * `retainGraph` is set: pass it to backpropagate through the same model output twice.
   */
  backward(grad?: Tensor | NestedInput | BackwardOptions, options: BackwardOptions = {}): void {
    // backward({ retainGraph: true }) reads as PyTorch's backward(retain_graph=True).
    if (isBackwardOptions(grad)) [grad, options] = [undefined, grad];
    const createGraph = options.createGraph ?? false;
    runBackward(this, grad, createGraph, options.retainGraph ?? createGraph);
  }

  /** The same values, outside the graph (no gradient flows through). Shares memory. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset, this.dtype);
  }

  /** Frees this tensor's memory now instead of when it is garbage-collected. */
  dispose(): void {
    this.storage.dispose();
  }

  /** @internal optimizers update parameters in place: same object, new values */
  _assign(src: Tensor): void {
    if (src.dtype !== this.dtype || src.shape.length !== this.shape.length || src.shape.some((d, i) => d !== this.shape[i])) {
      throw new GradlabError("assign: the new value must have the same shape and dtype");
    }
    const c = src.contiguous();
    this._replaceStorage(c.storage, c.strides, c.offset);
  }

  /**
   * @internal points this tensor at another buffer (same shape and dtype). The old buffer is
   * freed at once when this tensor was its only holder.
   */
  _replaceStorage(storage: Storage, strides: readonly number[] = contiguousStrides(this.shape), offset = 0): void {
    const old = this.storage;
    if (storage === old) return;
    storage.hold();
    this.storage = storage;
    this.strides = strides;
    this.offset = offset;
    if (old.holders === 1) old.dispose();
  }

  private assertLive(op: string): void {
    if (this.storage.disposed) throw new GradlabError(`${op}: ${this.storage.disposedBecause}`);
  }

  /**
   * A copy on another backend ("cpu" or "webgpu"), or this tensor when it is already there.
   * Async because leaving the GPU means reading it back. The copy is a new leaf: gradients do not
   * flow back across devices, but a parameter that required gradients still does.
   */
  async to(device: BackendName): Promise<Tensor> {
    this.assertLive("to");
    if (device === this.device) return this;
    const target = await backendNamed(device);
    if (this.dtype === "float64" && device !== "cpu") {
      throw new DTypeError(`to: float64 exists on the CPU backend only; cast first with .float() to move this tensor to ${device}`);
    }
    const values = await this.data();
    const out = Tensor.fromBuffer(target, target.upload(values), this.shape, this.dtype);
    if (this.requiresGrad && this.isLeaf) out.requiresGrad = true;
    return out;
  }

  // ---- readback ----
  /** The values as a flat typed array (a copy), on every backend. */
  async data(): Promise<TypedArray> {
    this.assertLive("data");
    const c = this.contiguous();
    return c.backend.read(c.buf, c.dtype, c.offset, c.size);
  }

  /** The values as nested arrays (numbers; booleans for bool tensors). */
  async array(): Promise<Nested> {
    return toNested(await this.data(), this.shape, this.dtype);
  }

  /** The value of a single-element tensor. */
  async item(): Promise<number | boolean> {
    this.checkItem("item");
    const d = await this.data();
    return this.dtype === "bool" ? d[0] !== 0 : d[0]!;
  }

  dataSync(): TypedArray {
    this.assertLive("dataSync");
    if (!this.backend.syncReadback) {
      throw new GradlabError(`dataSync: the ${this.device} backend reads values asynchronously; use \`await t.data()\``);
    }
    const c = this.contiguous();
    return c.backend.readSync(c.buf, c.dtype, c.offset, c.size);
  }

  arraySync(): Nested {
    if (!this.backend.syncReadback) {
      throw new GradlabError(`arraySync: the ${this.device} backend reads values asynchronously; use \`await t.array()\``);
    }
    return toNested(this.dataSync(), this.shape, this.dtype);
  }

  itemSync(): number | boolean {
    this.checkItem("itemSync");
    if (!this.backend.syncReadback) {
      throw new GradlabError(`itemSync: the ${this.device} backend reads values asynchronously; use \`await t.item()\``);
    }
    const d = this.dataSync();
    return this.dtype === "bool" ? d[0] !== 0 : d[0]!;
  }

  private checkItem(op: string): void {
    if (this.size !== 1) {
      throw new GradlabError(`${op}: only a single-element tensor has one value; this one has shape [${this.shape.join(",")}] (${this.size} elements)`);
    }
  }

  /**
   * @internal the values when they are at hand without waiting: always on the CPU; on a GPU
   * backend when the tensor lives on the host or was read back before. Null otherwise.
   */
  _valuesNow(): TypedArray | null {
    if (this.storage.disposed) return null;
    const c = this.contiguous();
    const be = c.backend;
    if (be.syncReadback) return be.readSync(c.buf, c.dtype, c.offset, c.size);
    return be.peekSync ? be.peekSync(c.buf, c.dtype, c.offset, c.size) : null;
  }

  /**
   * Prints like PyTorch: values (elided when large), then shape, dtype and grad info. On a GPU
   * backend the values show when they are on the host (small tensors) or were read back before;
   * otherwise the text says how to read them.
   */
  toString(): string {
    if (this.storage.disposed) return `tensor(<disposed>, shape=[${this.shape.join(", ")}], dtype=${this.dtype})`;
    const values = this._valuesNow();
    if (!values) return `tensor(<on ${this.device}: await t.data() to read>, shape=[${this.shape.join(", ")}], dtype=${this.dtype})`;
    return formatTensor(values, this);
  }

  /** Values for `JSON.stringify` (CPU only; on other backends use `await t.array()`). */
  toJSON(): Nested {
    return this.arraySync();
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  [Symbol.for("Jupyter.display")](): Promise<Record<string, string>> {
    return tensorDisplay(this);
  }

  // ---- elementwise ----
  add(other: TensorLike): Tensor { return ew.add(this, other); }
  sub(other: TensorLike): Tensor { return ew.sub(this, other); }
  mul(other: TensorLike): Tensor { return ew.mul(this, other); }
  div(other: TensorLike): Tensor { return ew.div(this, other); }
  pow(other: TensorLike): Tensor { return ew.pow(this, other); }
  maximum(other: TensorLike): Tensor { return ew.maximum(this, other); }
  minimum(other: TensorLike): Tensor { return ew.minimum(this, other); }
  /** Limits values to [min, max]; the gradient is 1 inside, 0 where clipped. */
  clamp(min?: number, max?: number): Tensor { return ew.clamp(this, min, max); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  log1p(): Tensor { return ew.log1p(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  square(): Tensor { return ew.square(this); }
  abs(): Tensor { return ew.abs(this); }
  sign(): Tensor { return ew.sign(this); }
  sin(): Tensor { return ew.sin(this); }
  cos(): Tensor { return ew.cos(this); }
  reciprocal(): Tensor { return ew.reciprocal(this); }
  sigmoid(): Tensor { return ew.sigmoid(this); }
  tanh(): Tensor { return ew.tanh(this); }
  /** max(x, 0); its derivative at exactly 0 is taken as 0, as in PyTorch. */
  relu(): Tensor { return ew.relu(this); }
  softmax(axis = -1): Tensor { return softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return logSoftmax(this, axis); }
  gt(other: TensorLike): Tensor { return ew.compare("gt", this, other); }
  lt(other: TensorLike): Tensor { return ew.compare("lt", this, other); }
  ge(other: TensorLike): Tensor { return ew.compare("ge", this, other); }
  le(other: TensorLike): Tensor { return ew.compare("le", this, other); }
  eq(other: TensorLike): Tensor { return ew.compare("eq", this, other); }
  ne(other: TensorLike): Tensor { return ew.compare("ne", this, other); }
  logicalNot(): Tensor { return ew.logicalNot(this); }

  // ---- reductions ----
  sum(axis?: number | number[], keepDims = false): Tensor { return red.sum(this, axis, keepDims); }
  mean(axis?: number | number[], keepDims = false): Tensor { return red.mean(this, axis, keepDims); }
  max(axis?: number | number[], keepDims = false): Tensor { return red.max(this, axis, keepDims); }
  min(axis?: number | number[], keepDims = false): Tensor { return red.min(this, axis, keepDims); }
  /** Index of the largest value (over all elements, or along `axis`), int32. */
  argmax(axis?: number, keepDims = false): Tensor { return red.argReduce("argmax", this, axis, keepDims); }
  argmin(axis?: number, keepDims = false): Tensor { return red.argReduce("argmin", this, axis, keepDims); }

  // ---- linear algebra ----
  matmul(other: Tensor): Tensor { return mm.matmul(this, other); }
  dot(other: Tensor): Tensor { return mm.dot(this, other); }

  // ---- movement ----
  /** New shape with the same elements; one size may be -1. */
  reshape(...shape: number[] | [readonly number[]]): Tensor { return mv.reshape(this, flatArgs(shape)); }
  view(...shape: number[] | [readonly number[]]): Tensor { return mv.reshape(this, flatArgs(shape)); }
  flatten(): Tensor { return mv.reshape(this, [this.size]); }
  /** Reversed axes (the matrix transpose for 2-D). */
  get T(): Tensor { return mv.permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); }
  /** No axes: reverse them. Two axes: swap them. All axes: that permutation. */
  transpose(...axes: number[]): Tensor { return mv.transpose(this, axes); }
  permute(...axes: number[]): Tensor { return mv.permute(this, axes); }
  expand(...shape: number[] | [readonly number[]]): Tensor { return mv.expand(this, flatArgs(shape)); }
  squeeze(axis?: number): Tensor { return mv.squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return mv.unsqueeze(this, axis); }
  /** Per axis: an index, null for all, or [start, stop, step] (negative counts from the end). */
  slice(...specs: SliceSpec[]): Tensor { return mv.slice(this, specs); }
  /** The sub-tensor at index `i` of the first axis. */
  at(i: number): Tensor { return mv.slice(this, [i]); }
  /** A contiguous copy when this is a strided view; itself otherwise. */
  contiguous(): Tensor { return mv.contiguous(this); }
  clone(): Tensor { return mv.clone(this); }
  /** Picks values along `axis` at `index` (int32, same rank): out[i][j] = x[i][index[i][j]] for axis 1. */
  gather(axis: number, index: Tensor): Tensor { return ix.gather(this, axis, index); }

  // ---- dtypes ----
  cast(dtype: DType): Tensor { return cast(this, dtype); }
  float(): Tensor { return cast(this, "float32"); }
  int(): Tensor { return cast(this, "int32"); }
  bool(): Tensor { return cast(this, "bool"); }
}

export interface BackwardOptions {
  /** Record the gradients' own graph, for gradients of gradients. */
  createGraph?: boolean;
  /** Keep the values the graph holds, to backpropagate through it again. */
  retainGraph?: boolean;
}

function isBackwardOptions(x: unknown): x is BackwardOptions {
  if (typeof x !== "object" || x === null || x instanceof Tensor || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  return Object.keys(x).every((k) => k === "createGraph" || k === "retainGraph");
}

function flatArgs(args: number[] | [readonly number[]]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as readonly number[])];
  return args as number[];
}
