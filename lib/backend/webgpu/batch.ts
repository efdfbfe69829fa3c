/// <reference types="@webgpu/types" />
import { Usage } from "./constants.js";
import type { Kernel } from "./kernel.js";
import type { Slab } from "./pool.js";

/** A window of a GPU buffer bound to one shader variable: `size` bytes from `offset`. */
export interface Binding {
  readonly slab: Slab;
  readonly offset: number;
  readonly size: number;
}

const ARENA_BYTES = 1 << 18;
/** Submitting every few hundred dispatches keeps the GPU busy while JavaScript records more. */
const MAX_DISPATCHES = 256;
const MAX_BIND_GROUPS = 8192;

/**
 * Records dispatches into one compute pass and submits them together, because a submit costs
 * far more than a dispatch. Every binding has a dynamic offset: each dispatch's parameters go into
 * one uniform "arena" buffer, and small tensors are cells of shared buffers, so a bind group
 * depends only on which buffers a kernel touches, not where in them. Creating a bind group costs
 * more than the rest of a dispatch, and this way most dispatches find theirs in the cache.
 */
export class Batch {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatches = 0;
  private readonly arena: GPUBuffer;
  private readonly arenaWords = new Uint32Array(ARENA_BYTES / 4);
  private arenaUsed = 0;
  private readonly align: number;
  private lastPipeline: GPUComputePipeline | null = null;
  /** Reused offset arrays, one per binding count, so a dispatch allocates nothing here. */
  private readonly offsetArrays: number[][] = [];
  private readonly groups = new Map<string, GPUBindGroup>();
  private readonly groupsOfSlab = new Map<number, string[]>();
  /** Dispatches recorded since the device was created (for benchmarks and tests). */
  totalDispatches = 0;
  /**
   * Milliseconds spent inside queue.submit. On a software adapter the driver runs the work there,
   * synchronously, so benchmarks subtract it to see what recording costs.
   */
  submitMs = 0;
  /** Counts submitted batches; the one being recorded has this number. */
  epoch = 1;
  /** Runs after every submit of recorded work (GpuMemory takes back host tensors' copies). */
  afterSubmit: () => void = () => {};

  constructor(private readonly device: GPUDevice) {
    this.arena = device.createBuffer({ size: ARENA_BYTES, usage: Usage.UNIFORM | Usage.COPY_DST, label: "gradlab params" });
    this.align = Math.max(16, device.limits.minUniformBufferOffsetAlignment);
  }

  /** Runs `kernel` over `bindings` (reads first, then writes) with `meta` as its parameters. */
  dispatch(kernel: Kernel, bindings: readonly Binding[], meta: ArrayLike<number>, x: number, y = 1, z = 1): void {
    if (x === 0 || y === 0 || z === 0) return;
    if (this.arenaUsed + kernel.metaBytes > ARENA_BYTES || this.dispatches >= MAX_DISPATCHES) this.flush();
    const offset = this.arenaUsed;
    this.arenaWords.set(meta, offset / 4);
    this.arenaUsed = offset + Math.ceil(Math.max(meta.length * 4, 16) / this.align) * this.align;
    const pass = this.beginPass();
    if (kernel.pipeline !== this.lastPipeline) {
      pass.setPipeline(kernel.pipeline);
      this.lastPipeline = kernel.pipeline;
    }
    const offsets = (this.offsetArrays[bindings.length] ??= new Array<number>(bindings.length + 1).fill(0));
    for (let i = 0; i < bindings.length; i++) offsets[i] = bindings[i]!.offset;
    offsets[bindings.length] = offset;
    pass.setBindGroup(0, this.bindGroup(kernel, bindings), offsets);
    pass.dispatchWorkgroups(x, y, z);
    this.dispatches++;
    this.totalDispatches++;
  }

  get pending(): boolean {
    return this.encoder !== null;
  }

  /** Submits what was recorded. The parameter upload is queued first, so the pass sees it. */
  flush(): void {
    if (!this.encoder) return;
    this.pass!.end();
    const cmd = this.encoder.finish();
    this.encoder = null;
    this.pass = null;
    this.device.queue.writeBuffer(this.arena, 0, this.arenaWords.buffer, 0, this.arenaUsed);
    const t0 = performance.now();
    this.device.queue.submit([cmd]);
    this.submitMs += performance.now() - t0;
    this.epoch++;
    this.arenaUsed = 0;
    this.dispatches = 0;
    this.afterSubmit();
  }

  /** Records a buffer copy after flushing, so it runs after every dispatch so far. */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.flush();
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
    this.device.queue.submit([enc.finish()]);
  }

  /** Forgets the bind groups that name a buffer about to be destroyed. */
  forget(slab: Slab): void {
    const keys = this.groupsOfSlab.get(slab.id);
    if (!keys) return;
    for (const k of keys) this.groups.delete(k);
    this.groupsOfSlab.delete(slab.id);
  }

  private beginPass(): GPUComputePassEncoder {
    if (!this.pass) {
      this.encoder = this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
      this.lastPipeline = null;
    }
    return this.pass;
  }

  private bindGroup(kernel: Kernel, bindings: readonly Binding[]): GPUBindGroup {
    let key = kernel.layoutKey + ":" + kernel.metaBytes;
    for (const b of bindings) key += "," + b.slab.id + "/" + b.size;
    let group = this.groups.get(key);
    if (group) return group;
    if (this.groups.size >= MAX_BIND_GROUPS) {
      this.groups.clear();
      this.groupsOfSlab.clear();
    }
    const entries: GPUBindGroupEntry[] = bindings.map((b, i) => ({ binding: i, resource: { buffer: b.slab.buffer, offset: 0, size: b.size } }));
    entries.push({ binding: bindings.length, resource: { buffer: this.arena, offset: 0, size: kernel.metaBytes } });
    group = this.device.createBindGroup({ layout: kernel.layout, entries });
    this.groups.set(key, group);
    for (const b of bindings) {
      let keys = this.groupsOfSlab.get(b.slab.id);
      if (!keys) this.groupsOfSlab.set(b.slab.id, (keys = []));
      keys.push(key);
    }
    return group;
  }
}
