/// <reference types="@webgpu/types" />
import type { Batch } from "./batch.js";
import { CellAllocator } from "./cells.js";
import { READBACK_USAGE, TENSOR_USAGE } from "./constants.js";
import type { DeviceState } from "./device-state.js";
import type { Fused } from "./fusion.js";
import { GpuBuffer } from "./gpu-buffer.js";
import { BufferPool, type PoolStats } from "./pool.js";
import { reclaimIfPressed } from "../../tensor/storage.js";

export interface AllocOptions {
  /** The inputs of the kernel that will write this buffer (see CellAllocator.acquire). */
  avoid?: readonly GpuBuffer[];
  /** The queue will write it before the current batch runs (see BufferPool.acquire). */
  forUpload?: boolean;
  shadow?: Int32Array | null;
  /** Give memory to this (lazy) buffer instead of a new one. */
  into?: GpuBuffer;
}

/**
 * Where tensors' GPU memory comes from and goes back to: pooled buffers for large tensors, cells
 * of shared buffers for small ones. A buffer is returned when its tensor is disposed or
 * collected, unless a lazy chain still reads it; and when allocations pile up, unreachable
 * tensors are collected on the spot (see `reclaimIfPressed`).
 */
export class GpuMemory {
  readonly pool: BufferPool;
  readonly staging: BufferPool;
  private readonly cells: CellAllocator;
  /** Bytes held by live tensors (bucket and cell sizes, as allocated). */
  live = 0;
  /** Host tensors with a copy on the GPU (see placeCopy). */
  private copies: GpuBuffer[] = [];

  constructor(device: GPUDevice, private readonly batch: Batch, private readonly state: DeviceState) {
    const limits = device.limits;
    this.pool = new BufferPool(device, TENSOR_USAGE, "gradlab tensor", Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize));
    this.staging = new BufferPool(device, READBACK_USAGE, "gradlab readback", limits.maxBufferSize, 64 * 2 ** 20);
    for (const p of [this.pool, this.staging]) {
      p.onDestroy = (slab) => batch.forget(slab);
      p.beforeDestroy = () => batch.flush();
    }
    this.cells = new CellAllocator(this.pool, Math.max(256, limits.minStorageBufferOffsetAlignment));
    batch.afterSubmit = () => this.dropCopies();
  }

  /**
   * GPU memory for a kernel to read a host tensor's values from (the caller writes them). It is
   * taken back once no recorded work reads it, so a host tensor holds GPU memory only while it is
   * in use, and never needs the collector to give it back.
   */
  placeCopy(buf: GpuBuffer): void {
    this.alloc(buf.length, { into: buf, forUpload: true });
    buf.usedIn = this.batch.epoch;
    this.copies.push(buf);
  }

  /** A host tensor's copy is read by the batch being recorded. */
  useCopy(buf: GpuBuffer): void {
    buf.usedIn = this.batch.epoch;
  }

  /**
   * After a submit, copies not used by the batches just submitted or now being recorded go back.
   * The one before counts too: a batch that fills up is submitted in the middle of a dispatch
   * whose inputs were already marked, and that dispatch lands in the new batch.
   */
  private dropCopies(): void {
    const keepFrom = this.batch.epoch - 1;
    let kept = 0;
    for (const b of this.copies) {
      if (b.usedIn >= keepFrom) this.copies[kept++] = b;
      else {
        this.release(b);
        b.unplace();
      }
    }
    this.copies.length = kept;
  }

  /** Memory for `length` 4-byte elements. */
  alloc(length: number, opts: AllocOptions = {}): GpuBuffer {
    this.state.check("webgpu");
    const into = opts.into ?? new GpuBuffer(length, opts.shadow ?? null);
    const bytes = Math.max(4, length * 4);
    // Unreachable tensors' buffers come back first when too many piled up, so this one can reuse them.
    reclaimIfPressed("webgpu", bytes);
    const cleanSince = opts.forUpload ? this.batch.epoch : Infinity;
    if (bytes <= this.cells.cellBytes) {
      const cell = this.cells.acquire(cleanSince, opts.avoid);
      this.live += this.cells.cellBytes;
      return into.place(cell.slab, cell.offset, this.cells.cellBytes, true);
    }
    const slab = this.pool.acquire(bytes, cleanSince);
    this.live += slab.size;
    return into.place(slab, 0, slab.size, false);
  }

  /** The tensor is gone (disposed or collected). */
  dispose(buf: GpuBuffer): void {
    if (buf.released) return;
    buf.released = true;
    if (buf.lazy) {
      // Never needed: never computed, and it holds no memory.
      this.unpin(buf.lazy);
      buf.lazy = null;
      return;
    }
    // A lazy chain still reads it: its memory goes back once that chain has run or been dropped.
    if (buf.pins > 0) buf.freeWhenUnpinned = true;
    else this.free(buf);
  }

  /** A lazy chain will read these buffers. */
  pin(f: Fused): void {
    for (const leaf of f.leaves) leaf.buf.pins++;
  }

  /** A lazy chain has run, or was dropped. */
  unpin(f: Fused): void {
    for (const leaf of f.leaves) {
      const b = leaf.buf;
      if (--b.pins === 0 && b.freeWhenUnpinned) {
        b.freeWhenUnpinned = false;
        this.free(b);
      }
    }
  }

  /** Frees spare pooled buffers, e.g. when the GPU runs out of memory. */
  trim(): void {
    this.pool.trim();
    this.staging.trim();
  }

  stats(): { pool: PoolStats; cellSlabs: number } {
    return { pool: this.pool.stats(), cellSlabs: this.cells.slabCount };
  }

  private free(buf: GpuBuffer): void {
    // A host tensor's GPU copy is taken back after its batch (see placeCopy).
    if (!buf.placed || buf.host) return;
    this.release(buf);
  }

  private release(buf: GpuBuffer): void {
    this.live -= buf.size;
    if (this.state.lost) return;
    if (buf.cell) this.cells.release(buf.slab, buf.offset, this.batch.epoch);
    else this.pool.release(buf.slab, this.batch.epoch);
  }
}
