/// <reference types="@webgpu/types" />
import type { BufferPool, Slab } from "./pool.js";

/** A cell: `size` bytes at `offset` in a shared slab. */
export interface Cell {
  slab: Slab;
  offset: number;
  releasedIn: number;
}

interface SlabCells {
  slab: Slab;
  free: Cell[];
}

/**
 * Small tensors (scalars, biases, losses) share slabs, one fixed-size cell each. With dynamic
 * offsets, every dispatch on cells of the same slabs reuses one bind group, where a buffer per
 * tensor would need a new bind group for each new buffer. Freed cells are reused, most recently
 * freed first; slabs are kept (they are small).
 */
export class CellAllocator {
  private readonly slabs: SlabCells[] = [];
  private readonly bySlab = new Map<number, SlabCells>();

  constructor(
    private readonly pool: BufferPool,
    readonly cellBytes: number,
    private readonly cellsPerSlab = 256,
  ) {}

  get slabCount(): number {
    return this.slabs.length;
  }

  /**
   * A cell; with `cleanSince`, only one released before that batch (see BufferPool.acquire).
   * A kernel's output must not share a slab with its inputs: WebGPU forbids one buffer bound
   * both read-only and writable in a dispatch, whatever the ranges, so those slabs are `avoid`ed.
   */
  acquire(cleanSince = Infinity, avoid: readonly { slab: Slab }[] = []): Cell {
    for (let s = this.slabs.length - 1; s >= 0; s--) {
      const entry = this.slabs[s]!;
      const free = entry.free;
      if (free.length === 0 || avoid.some((a) => a.slab === entry.slab)) continue;
      for (let i = free.length - 1; i >= Math.max(0, free.length - 8); i--) {
        if (free[i]!.releasedIn >= cleanSince) continue;
        const cell = free[i]!;
        free.splice(i, 1);
        return cell;
      }
    }
    const slab = this.pool.acquire(this.cellBytes * this.cellsPerSlab);
    const entry: SlabCells = { slab, free: [] };
    // Cell 0 is returned; the others are free, as if released long ago.
    for (let k = this.cellsPerSlab - 1; k >= 1; k--) entry.free.push({ slab, offset: k * this.cellBytes, releasedIn: -1 });
    this.slabs.unshift(entry);
    this.bySlab.set(slab.id, entry);
    return { slab, offset: 0, releasedIn: -1 };
  }

  release(slab: Slab, offset: number, batch: number): void {
    this.bySlab.get(slab.id)!.free.push({ slab, offset, releasedIn: batch });
  }
}
