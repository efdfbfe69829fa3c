/// <reference types="@webgpu/types" />
import type { DType, TypedArray } from "../../tensor/dtype.js";
import { DTypeError, GradlabError } from "../../tensor/errors.js";
import { sizeOf } from "../../tensor/shape.js";
import { ReferenceCpuBackend } from "../cpu/reference-backend.js";
import type { Backend, BinaryOp, ReduceOp, UnaryOp, View } from "../backend.js";
import { Batch } from "./batch.js";
import { DeviceState } from "./device-state.js";
import type { GpuHandle } from "./device.js";
import { GpuBuffer } from "./gpu-buffer.js";
import { KernelCache, type Kernel } from "./kernel.js";
import { coalesce, splitAxes } from "./layout.js";
import { contiguousStrides } from "../../tensor/shape.js";
import { fuse, type Fused } from "./fusion.js";
import type { PoolStats } from "./pool.js";
import { GpuMemory } from "./memory.js";
import { readBuffer } from "./readback.js";
import { fillKernel, mapKernel, mapMeta, type MapInput } from "./wgsl/elementwise.js";
import { binaryExpr, unaryExpr, type Expr } from "./wgsl/exprs.js";
import { gatherKernel, placeKernel, scatterAddKernel } from "./wgsl/indexing.js";
import { matmulKernel, matmulRegisterKernel, REGISTER_WX, REGISTER_WY, registerPlan, type Operand, type Tile } from "./wgsl/matmul.js";
import { f32bits, grid, storageBits, wtype, type WType } from "./wgsl/prelude.js";
import { updateKernel, updateMeta } from "./wgsl/update.js";
import { runUpdate, type UpdatePlan } from "../update.js";
import { argSerialKernel, argTreeKernel, CHUNK, reduceSerialKernel, reduceTreeKernel } from "./wgsl/reduce.js";

type V = View<GpuBuffer>;

const REDUCE_IDENTITY: Record<ReduceOp, number> = { sum: 0, prod: 1, max: 0, min: 0 };

/**
 * The backend interface on WebGPU compute shaders. Kernels are recorded into a batch and run
 * when it is submitted (on readback, or every few hundred dispatches); reading is async.
 */
export class WebGpuBackend implements Backend<GpuBuffer> {
  readonly name = "webgpu" as const;
  readonly syncReadback = false;
  readonly description: string;
  private readonly device: GPUDevice;
  /** Held only to keep Dawn's instance alive as long as the device (see GpuHandle.instance). */
  private readonly instance: GPU;
  private readonly batch: Batch;
  private readonly memory: GpuMemory;
  private readonly kernels: KernelCache;
  private readonly state: DeviceState;
  private readonly flags: GpuBuffer;
  private readonly tile: Tile;
  private readonly maxLeaves: number;
  /** Storage buffers one kernel may bind. */
  private readonly storageBindings: number;
  /**
   * Fuse chains of elementwise ops into one kernel (on by default). Off, every op dispatches its
   * own kernel at once: for measuring dispatch cost, and for tests of the unfused kernels.
   */
  fusion = true;
  /**
   * Which matmul kernel runs: "tiled" stages tiles in workgroup memory (for GPUs), "register"
   * keeps blocks in registers and reads storage directly (for software adapters, where it is
   * 2.5× faster). Chosen from the adapter; tests set it to cover both.
   */
  matmulKernel: "tiled" | "register";
  /**
   * Run ops whose inputs all live on the host, with a result of at most HOST_MAX_ELEMENTS, on the
   * CPU (on by default, as TensorFlow.js does): a lesson's scalars and 2×2 examples then cost
   * what they cost on the CPU, not a GPU dispatch and an async readback each. Off, every op runs
   * a GPU kernel: for measuring dispatch, and for tests of the kernels.
   */
  hostOps = true;
  /** The host side of `hostOps`: plain typed arrays, which the garbage collector frees. */
  private readonly host = new ReferenceCpuBackend();

  constructor(gpu: GpuHandle) {
    this.device = gpu.device;
    this.instance = gpu.instance;
    this.description = gpu.description;
    const limits = this.device.limits;
    this.state = new DeviceState(this.device, () => this.memory.live, () => this.memory.trim());
    this.batch = new Batch(this.device);
    this.kernels = new KernelCache(this.device);
    this.memory = new GpuMemory(this.device, this.batch, this.state);
    const flagSlab = this.memory.pool.acquire(16);
    this.flags = new GpuBuffer(4).place(flagSlab, 0, flagSlab.size, false);
    // One storage binding is the output; the rest may be leaves of a fused chain.
    // Every storage binding has a dynamic offset, so both limits apply (4 is WebGPU's minimum).
    const bindable = Math.min(limits.maxStorageBuffersPerShaderStage, limits.maxDynamicStorageBuffersPerPipelineLayout);
    this.maxLeaves = Math.max(3, Math.min(8, bindable - 1));
    this.storageBindings = bindable;
    this.device.queue.writeBuffer(flagSlab.buffer, 0, new Uint32Array(4));
    // 64×64 tiles with a k-slice of 32 measured fastest on llvmpipe (4.5 GFLOP/s at 512, against
    // 3.6 for 32×32 and 4.0 for 64×128); 256 threads and 16 KiB of shared memory.
    const big = limits.maxComputeInvocationsPerWorkgroup >= 256 && limits.maxComputeWorkgroupStorageSize >= 16384;
    this.tile = big ? { tm: 64, tn: 64, tk: 32 } : { tm: 32, tn: 32, tk: 16 };
    this.matmulKernel = gpu.software ? "register" : "tiled";
  }

  /** Whether the device still works; a lost device needs `setBackend("webgpu")` again. */
  get usable(): boolean {
    return !this.state.lost;
  }

  /** Releases the GPU device now (its tensors become unusable). */
  destroy(): void {
    this.state.markLost("destroyed by gradlab");
    this.device.destroy();
  }

  /** Pool and dispatch counters, for tests and benchmarks. */
  stats(): { pool: PoolStats; cellSlabs: number; dispatches: number; pipelines: number; submitMs: number } {
    return {
      ...this.memory.stats(),
      dispatches: this.batch.totalDispatches,
      pipelines: this.kernels.size,
      submitMs: this.batch.submitMs,
    };
  }

  /**
   * How many bytes of freed buffers the pool keeps for reuse (256 MiB by default); beyond that
   * the oldest are destroyed. Lower it on a GPU with little memory.
   */
  setPoolLimit(bytes: number): void {
    this.memory.pool.freeCap = bytes;
    this.memory.pool.trim(bytes);
  }

  /** Submits recorded work now (normally done on readback). */
  flush(): void {
    this.batch.flush();
  }

  // ---- memory ----

  upload(data: TypedArray): GpuBuffer {
    if (data instanceof Float64Array) throw new DTypeError("webgpu: float64 exists on the CPU backend only; use float32");
    this.state.check("webgpu");
    if (this.hostOps && data.length <= HOST_MAX_ELEMENTS) return hostBuffer(data.slice());
    const shadow = data instanceof Int32Array ? data.slice() : null;
    const out = this.memory.alloc(data.length, { shadow, forUpload: true });
    this.write(out, data);
    return out;
  }

  private write(out: GpuBuffer, data: TypedArray): void {
    if (data.length === 0) return;
    const words = data instanceof Uint8Array ? Uint32Array.from(data) : data;
    this.device.queue.writeBuffer(out.slab.buffer, out.offset, words.buffer, words.byteOffset, words.byteLength);
  }

  /**
   * Runs an op on the host when every input lives there and the result is small (see `hostOps`);
   * null when it must run on the GPU. `dtype` is checked as the GPU path would (no float64).
   */
  private onHost(inputs: readonly V[], outSize: number, dtype: DType, run: (cpu: ReferenceCpuBackend, views: View<TypedArray>[]) => TypedArray): GpuBuffer | null {
    if (!this.hostOps || outSize > HOST_MAX_ELEMENTS) return null;
    for (const v of inputs) if (!v.buf.host || v.buf.lazy) return null;
    wtype(dtype);
    this.state.check("webgpu");
    const views = inputs.map((v) => ({ buf: alive(v.buf).host!, shape: v.shape, strides: v.strides, offset: v.offset, dtype: v.dtype }));
    return hostBuffer(run(this.host, views));
  }

  fill(size: number, value: number, dtype: DType, avoid: readonly GpuBuffer[] = []): GpuBuffer {
    return this.onHost([], size, dtype, (cpu) => cpu.fill(size, value, dtype)) ?? this.fillGpu(size, value, dtype, avoid);
  }

  /** A filled buffer in GPU memory, for kernels to write into. */
  private fillGpu(size: number, value: number, dtype: DType, avoid: readonly GpuBuffer[] = []): GpuBuffer {
    wtype(dtype);
    const out = this.memory.alloc(size, { avoid });
    if (size > 0) {
      this.batch.dispatch(this.kernels.get("fill", fillKernel), [out], [size, storageBits(value, dtype)], ...grid(size));
    }
    return out;
  }

  read(buf: GpuBuffer, dtype: DType, start: number, count: number): Promise<TypedArray> {
    this.state.check("data");
    const known = this.peekSync(buf, dtype, start, count);
    if (known) return Promise.resolve(known);
    this.live_(buf);
    return readBuffer(this.device, this.batch, this.memory.staging, this.state, buf, this.flags, dtype, start, count).then((values) => {
      if (start === 0 && count === buf.length && count <= READBACK_KEEP_ELEMENTS) buf.readBack = values.slice();
      return values;
    });
  }

  peekSync(buf: GpuBuffer, _dtype: DType, start: number, count: number): TypedArray | null {
    const known = alive(buf).host ?? buf.readBack;
    return known ? known.slice(start, start + count) : null;
  }

  readSync(): TypedArray {
    throw new GradlabError("webgpu: values on the GPU are read asynchronously; use `await t.data()`, `await t.array()` or `await t.item()`");
  }

  byteSize(buf: GpuBuffer): number {
    return buf.length * 4;
  }

  dispose(buf: GpuBuffer): void {
    this.memory.dispose(buf);
  }

  /** A host tensor holds no GPU memory, except a copy for recorded work, taken back after it. */
  needsRelease(buf: GpuBuffer): boolean {
    return buf.host === null;
  }

  // ---- elementwise ----

  /** An elementwise op: recorded lazily, fused into the chain of its lazy inputs. */
  private map(views: readonly V[], names: readonly string[], shape: readonly number[], expr: Expr, out: WType): GpuBuffer {
    this.state.check("webgpu");
    for (const v of views) alive(v.buf);
    const n = sizeOf(shape);
    if (n === 0) return this.memory.alloc(0);
    const fused = fuse(views, names, shape, expr, out, this.maxLeaves, (b) => this.materialize(b));
    this.memory.pin(fused);
    const buf = new GpuBuffer(n);
    buf.lazy = fused;
    if (!this.fusion) this.materialize(buf);
    return buf;
  }

  /** Runs a lazy buffer's fused chain as one kernel into fresh memory. */
  private materialize(buf: GpuBuffer): void {
    const f = buf.lazy!;
    const n = buf.length;
    const leafBufs = f.leaves.map((l) => l.buf);
    for (const l of leafBufs) this.onGpu(l);
    this.memory.alloc(n, { avoid: leafBufs, into: buf });
    const walk = coalesce(f.shape, f.leaves);
    const nd = walk.shape.length;
    const inputs: MapInput[] = f.leaves.map((l, j) => ({ type: l.type, access: walk.operands[j]!.access, name: `v${j}` }));
    const key = `map|${nd}|${inputs.map((i) => i.type + i.access).join("")}|${f.out}|${f.type}|${f.code}`;
    const kernel = this.kernels.get(key, () => mapKernel(inputs, nd, { code: f.code, type: f.type }, f.out));
    this.batch.dispatch(kernel, [...leafBufs, buf], mapMeta(n, walk.shape, walk.operands), ...grid(n));
    buf.lazy = null;
    this.memory.unpin(f);
  }

  /** A buffer a kernel is about to read: alive, computed if it was lazy, on the GPU. */
  private live_(b: GpuBuffer): GpuBuffer {
    alive(b);
    if (b.lazy) this.materialize(b);
    else this.onGpu(b);
    return b;
  }

  /** A host tensor's values, copied to GPU memory for the work being recorded (see placeCopy). */
  private onGpu(b: GpuBuffer): void {
    if (!b.host) return;
    if (b.placed) {
      this.memory.useCopy(b);
      return;
    }
    this.memory.placeCopy(b);
    this.write(b, b.host);
  }

  unary(op: UnaryOp, x: V, outDtype: DType): GpuBuffer {
    const small = this.onHost([x], sizeOf(x.shape), outDtype, (cpu, [h]) => cpu.unary(op, h!, outDtype));
    if (small) return small;
    return this.map([x], ["a"], x.shape, unaryExpr(op, wtype(x.dtype)), wtype(outDtype));
  }

  binary(op: BinaryOp, a: V, b: V, outShape: readonly number[], outDtype: DType): GpuBuffer {
    const small = this.onHost([a, b], sizeOf(outShape), outDtype, (cpu, [x, y]) => cpu.binary(op, x!, y!, outShape, outDtype));
    if (small) return small;
    return this.map([a, b], ["a", "b"], outShape, binaryExpr(op, wtype(a.dtype)), wtype(outDtype));
  }

  where(cond: V, a: V, b: V, outShape: readonly number[], outDtype: DType): GpuBuffer {
    const small = this.onHost([cond, a, b], sizeOf(outShape), outDtype, (cpu, [c, x, y]) => cpu.where(c!, x!, y!, outShape, outDtype));
    if (small) return small;
    const t = wtype(a.dtype);
    const zero = wtype(cond.dtype) === "f32" ? "0.0" : wtype(cond.dtype) === "i32" ? "0" : "0u";
    return this.map([cond, a, b], ["c", "a", "b"], outShape, { code: `select(b, a, c != ${zero})`, type: t }, wtype(outDtype));
  }

  copy(x: V, dtype: DType): GpuBuffer {
    const small = this.onHost([x], sizeOf(x.shape), dtype, (cpu, [h]) => cpu.copy(h!, dtype));
    if (small) return small;
    const from = wtype(x.dtype);
    // Same dtype: copy bits (u32 for all), one pipeline per layout whatever the dtype.
    if (x.dtype === dtype) {
      this.live_(x.buf);
      const bits: V = { buf: x.buf, shape: x.shape, strides: x.strides, offset: x.offset, dtype: "bool" };
      return this.map([bits], ["a"], x.shape, { code: "a", type: "u32" }, "u32");
    }
    return this.map([x], ["a"], x.shape, { code: "a", type: from }, wtype(dtype));
  }

  // ---- fused updates (optimizer steps) ----

  /**
   * Small tensors whose values all live on the host are updated there, like other small ops.
   * On the GPU the new values go to fresh buffers (the old ones may still be read by recorded
   * work); the caller frees the old ones, and the pool hands them to the next step.
   */
  update(plan: UpdatePlan, targets: readonly V[], inputs: readonly V[], _inPlace: readonly boolean[]): GpuBuffer[] {
    this.state.check("webgpu");
    const n = sizeOf(targets[0]!.shape);
    const views = [...targets, ...inputs];
    for (const v of views) wtype(v.dtype);
    if (this.hostOps && n <= HOST_MAX_ELEMENTS && views.every((v) => alive(v.buf).host && !v.buf.lazy)) {
      const part = (v: V) => v.buf.host!.subarray(v.offset, v.offset + n);
      const outs = targets.map(() => new Float32Array(n));
      runUpdate(plan, targets.map(part), inputs.map(part), outs, n, true);
      return outs.map(hostBuffer);
    }
    for (const v of views) this.live_(v.buf);
    const bufs = views.map((v) => v.buf);
    const outs: GpuBuffer[] = [];
    for (let k = 0; k < plan.targets; k++) outs.push(this.memory.alloc(n, { avoid: [...bufs, ...outs] }));
    if (n === 0) return outs;
    const all = plan.results.map((_, r) => r);
    // One kernel writes every target when the device lets it bind them all, else one kernel each.
    const groups = views.length + all.length <= this.storageBindings ? [all] : all.map((r) => [r]);
    const meta = updateMeta(n, views.map((v) => v.offset), plan.consts.map(f32bits));
    for (const writes of groups) {
      const k = this.kernels.get(`update|${plan.key}|${writes.join(",")}`, () => updateKernel(plan, writes));
      this.batch.dispatch(k, [...bufs, ...writes.map((r) => outs[r]!)], meta, ...grid(n));
    }
    return outs;
  }

  // ---- reductions ----

  reduce(op: ReduceOp, x: V, axes: readonly number[], outDtype: DType): GpuBuffer {
    const { kept, reduced } = splitAxes(x, axes);
    const outputs = sizeOf(kept.shape);
    const small = this.onHost([x], outputs, outDtype, (cpu, [h]) => cpu.reduce(op, h!, axes, outDtype));
    if (small) return small;
    const R = sizeOf(reduced.shape);
    if (R === 0 || outputs === 0) return this.fill(outputs, REDUCE_IDENTITY[op], outDtype);
    return this.reduceWalk(op, x.buf, wtype(x.dtype), wtype(outDtype), kept.shape, kept.operands[0]!.strides, kept.operands[0]!.offset, reduced.shape, reduced.operands[0]!.strides, outputs, R);
  }

  private reduceWalk(
    op: ReduceOp, src: GpuBuffer, inT: WType, accT: WType,
    keptShape: readonly number[], keptStrides: readonly number[], offset: number,
    redShape: readonly number[], redStrides: readonly number[], outputs: number, R: number,
  ): GpuBuffer {
    const nk = keptShape.length;
    const nr = redShape.length;
    const serial = R <= 64 || (outputs >= 4096 && R <= 1024);
    const chunk = serial || R <= 4 * CHUNK ? R : CHUNK;
    const chunks = Math.ceil(R / chunk);
    const meta = [outputs, R, chunk, chunks, ...keptShape, ...keptStrides, ...redShape, ...redStrides, offset];
    this.live_(src);
    const dst = this.memory.alloc(outputs * chunks, { avoid: [src] });
    const slabs = [src, dst];
    if (serial) {
      const k = this.kernels.get(`reduceS|${op}|${inT}|${accT}|${nk}|${nr}`, () => reduceSerialKernel(op, inT, accT, nk, nr));
      this.batch.dispatch(k, slabs, meta, ...grid(outputs));
      return dst;
    }
    const k = this.kernels.get(`reduceT|${op}|${inT}|${accT}|${nk}|${nr}`, () => reduceTreeKernel(op, inT, accT, nk, nr));
    this.batch.dispatch(k, slabs, meta, ...grid(outputs * chunks, 1));
    if (chunks === 1) return dst;
    // Second pass over the [outputs, chunks] partial results.
    const out = this.reduceWalk(op, dst, accT, accT, [outputs], [chunks], 0, [chunks], [1], outputs, chunks);
    this.dispose(dst);
    return out;
  }

  argReduce(op: "argmax" | "argmin", x: V, axis: number): GpuBuffer {
    const keptShape = x.shape.filter((_, i) => i !== axis);
    const small = this.onHost([x], sizeOf(keptShape), "int32", (cpu, [h]) => cpu.argReduce(op, h!, axis));
    if (small) return small;
    const walk = coalesce(keptShape, [{ strides: x.strides.filter((_, i) => i !== axis), offset: x.offset }]);
    const outputs = sizeOf(keptShape);
    const len = x.shape[axis]!;
    this.live_(x.buf);
    const dst = this.memory.alloc(outputs, { avoid: [x.buf] });
    if (outputs === 0) return dst;
    const nk = walk.shape.length;
    const t = wtype(x.dtype);
    const meta = [outputs, len, x.strides[axis]!, ...walk.shape, ...walk.operands[0]!.strides, x.offset];
    const slabs = [x.buf, dst];
    if (len <= 256 || outputs >= 1024) {
      const k = this.kernels.get(`argS|${op}|${t}|${nk}`, () => argSerialKernel(op, t, nk));
      this.batch.dispatch(k, slabs, meta, ...grid(outputs));
    } else {
      const k = this.kernels.get(`argT|${op}|${t}|${nk}`, () => argTreeKernel(op, t, nk));
      this.batch.dispatch(k, slabs, meta, ...grid(outputs, 1));
    }
    return dst;
  }

  // ---- matmul ----

  matmul(a: V, b: V, outDtype: DType): GpuBuffer {
    wtype(outDtype);
    const nd = a.shape.length;
    const M = a.shape[nd - 2]!;
    const K = a.shape[nd - 1]!;
    const N = b.shape[nd - 1]!;
    const batchShape = a.shape.slice(0, nd - 2);
    const batches = sizeOf(batchShape);
    const small = this.onHost([a, b], batches * M * N, outDtype, (cpu, [x, y]) => cpu.matmul(x!, y!, outDtype));
    if (small) return small;
    if (K === 0) return this.fill(batches * M * N, 0, outDtype);
    this.live_(a.buf);
    this.live_(b.buf);
    const dst = this.memory.alloc(batches * M * N, { avoid: [a.buf, b.buf] });
    if (batches * M * N === 0) return dst;
    const walk = coalesce(batchShape, [
      { strides: a.strides.slice(0, nd - 2), offset: a.offset },
      { strides: b.strides.slice(0, nd - 2), offset: b.offset },
    ]);
    const nb = walk.shape.length;
    const [aWalk, bWalk] = [walk.operands[0]!.strides, walk.operands[1]!.strides];
    let kernel: Kernel;
    let gx: number;
    let gy: number;
    if (this.matmulKernel === "register") {
      const operand = (v: V, batch: readonly number[]): Operand =>
        ({ offset: v.offset, rowStride: v.strides[nd - 2]!, colStride: v.strides[nd - 1]!, batchStrides: batch, bindingBytes: v.buf.size });
      const plan = registerPlan(operand(a, aWalk), operand(b, bWalk), M, N, K);
      kernel = this.kernels.get(`matmulR|${plan.rows}|${plan.vecA}|${plan.vecB}|${nb}`, () => matmulRegisterKernel(plan, nb));
      gx = Math.ceil(N / (REGISTER_WX * 4));
      gy = Math.ceil(M / (REGISTER_WY * plan.rows));
    } else {
      const tile = this.tile;
      kernel = this.kernels.get(`matmul|${tile.tm}x${tile.tn}x${tile.tk}|${nb}`, () => matmulKernel(tile, nb));
      gx = Math.ceil(N / tile.tn);
      gy = Math.ceil(M / tile.tm);
    }
    const slabs = [a.buf, b.buf, dst];
    const tail = [
      a.offset, a.strides[nd - 2]!, a.strides[nd - 1]!, b.offset, b.strides[nd - 2]!, b.strides[nd - 1]!,
      ...walk.shape, ...aWalk, ...bWalk,
    ];
    if (gx > 65535 || gy > 65535) throw new GradlabError(`matmul: a ${M}×${N} result is too large for one WebGPU dispatch`);
    for (let base = 0; base < batches; base += 65535) {
      this.batch.dispatch(kernel, slabs, [M, N, K, base, ...tail], gx, gy, Math.min(65535, batches - base));
    }
    return dst;
  }

  // ---- indexing and movement ----

  private checkIndex(op: string, idx: V, len: number, axis: number): void {
    const b = this.live_(idx.buf);
    const host = b.shadow ?? (b.host instanceof Int32Array ? b.host : null);
    if (!host) return;
    let bad: number | null = null;
    forEachOffset(idx.shape, idx.strides, idx.offset, (p) => {
      const j = host[p]!;
      if (bad === null && (j < 0 || j >= len)) bad = j;
    });
    if (bad !== null) throw new GradlabError(`${op}: index ${bad} is out of range for axis ${axis} of size ${len}`);
  }

  gather(x: V, axis: number, idx: V): GpuBuffer {
    const small = this.onHost([x, idx], sizeOf(idx.shape), x.dtype, (cpu, [h, i]) => cpu.gather(h!, axis, i!));
    if (small) return small;
    const len = x.shape[axis]!;
    this.checkIndex("gather", idx, len, axis);
    const n = sizeOf(idx.shape);
    this.live_(x.buf);
    const dst = this.memory.alloc(n, { avoid: [x.buf, idx.buf] });
    if (n === 0) return dst;
    const nd = idx.shape.length;
    const k = this.kernels.get(`gather|${nd}|${axis}`, () => gatherKernel(nd, axis));
    const meta = [n, ...idx.shape, idx.offset, ...idx.strides, x.offset, ...x.strides, len];
    this.batch.dispatch(k, [x.buf, idx.buf, dst, this.flags], meta, ...grid(n));
    return dst;
  }

  scatterAdd(src: V, axis: number, idx: V, outShape: readonly number[]): GpuBuffer {
    const small = this.onHost([src, idx], sizeOf(outShape), src.dtype, (cpu, [h, i]) => cpu.scatterAdd(h!, axis, i!, outShape));
    if (small) return small;
    const len = outShape[axis]!;
    this.checkIndex("scatterAdd", idx, len, axis);
    const n = sizeOf(outShape);
    this.live_(src.buf);
    const dst = this.memory.alloc(n, { avoid: [src.buf, idx.buf] });
    if (n === 0) return dst;
    const nd = outShape.length;
    const t = wtype(src.dtype);
    const k = this.kernels.get(`scatter|${nd}|${axis}|${t}`, () => scatterAddKernel(nd, axis, t));
    const meta = [n, ...outShape, ...idx.shape, idx.offset, ...idx.strides, src.offset, ...src.strides, len];
    this.batch.dispatch(k, [src.buf, idx.buf, dst, this.flags], meta, ...grid(n));
    return dst;
  }

  embed(x: V, outShape: readonly number[], starts: readonly number[], steps: readonly number[]): GpuBuffer {
    const small = this.onHost([x], sizeOf(outShape), x.dtype, (cpu, [h]) => cpu.embed(h!, outShape, starts, steps));
    if (small) return small;
    this.live_(x.buf);
    const out = this.fillGpu(sizeOf(outShape), 0, x.dtype, [x.buf]);
    const os = contiguousStrides(outShape);
    let base = 0;
    for (let d = 0; d < os.length; d++) base += starts[d]! * os[d]!;
    this.place(x, out, os.map((s, d) => s * steps[d]!), base);
    return out;
  }

  concat(xs: readonly V[], axis: number, outShape: readonly number[], dtype: DType): GpuBuffer {
    const small = this.onHost(xs, sizeOf(outShape), dtype, (cpu, hs) => cpu.concat(hs, axis, outShape, dtype));
    if (small) return small;
    wtype(dtype);
    for (const x of xs) this.live_(x.buf);
    const out = this.memory.alloc(sizeOf(outShape), { avoid: xs.map((x) => x.buf) });
    const os = contiguousStrides(outShape);
    let at = 0;
    for (const x of xs) {
      this.place(x, out, os, at * os[axis]!);
      at += x.shape[axis]!;
    }
    return out;
  }

  /** Writes x's elements into `out` at `base` + coordinates · `targetStrides`. */
  private place(x: V, out: GpuBuffer, targetStrides: readonly number[], base: number): void {
    const n = sizeOf(x.shape);
    if (n === 0) return;
    const walk = coalesce(x.shape, [x, { strides: targetStrides, offset: base }]);
    const nd = walk.shape.length;
    const [src, dst] = walk.operands as [(typeof walk.operands)[0], (typeof walk.operands)[0]];
    const k = this.kernels.get(`place|${nd}|${src.access}|${dst.access}`, () => placeKernel(nd, src.access, dst.access));
    this.batch.dispatch(k, [this.live_(x.buf), out], mapMeta(n, walk.shape, walk.operands), ...grid(n));
  }
}

/**
 * Results up to this many elements are computed on the host when their inputs live there: the
 * size below which TensorFlow.js's WebGPU backend hands ops to the CPU as well (1000).
 */
export const HOST_MAX_ELEMENTS = 1024;

/** GPU buffers up to this many elements keep a host copy of what was read back (64 KiB of floats). */
export const READBACK_KEEP_ELEMENTS = 16384;

/** The buffer, unless its tensor was disposed (then using it is an error). */
function alive(buf: GpuBuffer): GpuBuffer {
  if (buf.released) throw new GradlabError("webgpu: this tensor was disposed; its memory is gone");
  return buf;
}

function hostBuffer(values: TypedArray): GpuBuffer {
  const buf = new GpuBuffer(values.length);
  buf.host = values;
  return buf;
}

/** Calls `visit` with the buffer offset of every element of a strided view. */
function forEachOffset(shape: readonly number[], strides: readonly number[], offset: number, visit: (p: number) => void): void {
  const n = sizeOf(shape);
  if (n === 0) return;
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let p = offset;
  for (let r = 0; r < n; r++) {
    visit(p);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      p += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      p -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}
