/// <reference types="@webgpu/types" />
import { GradlabError } from "../../tensor/errors.js";

/** One GPU buffer as the pool hands it out; `size` is its bucket size, at least what was asked. */
export interface Slab {
  readonly id: number;
  readonly buffer: GPUBuffer;
  readonly size: number;
  /** The batch in which the slab was last released (see `acquire`'s `cleanSince`). */
  releasedIn: number;
}

let nextId = 1;

/**
 * Sizes grow in quarter steps between powers of two above 4 KiB (power-of-two buckets would waste
 * up to half of every large tensor), and by powers of two below, where waste costs little.
 */
export function bucketSize(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 4) * 4);
  if (b <= 4096) return 2 ** Math.ceil(Math.log2(b));
  const step = 2 ** (Math.floor(Math.log2(b)) - 2);
  return Math.ceil(b / step) * step;
}

export interface PoolStats {
  /** Bytes of every buffer this pool created that still exists (in use or waiting in the pool). */
  allocatedBytes: number;
  /** Bytes waiting in the pool for reuse. */
  freeBytes: number;
  buffers: number;
}

/**
 * Creating a GPU buffer is slow and fragments memory, so buffers whose tensors were collected go
 * back to a free list per bucket size and are handed out again. The free lists are capped; above
 * the cap the least recently freed buffers are destroyed.
 */
export class BufferPool {
  private readonly free = new Map<number, Slab[]>();
  private readonly order: Slab[] = [];
  private allocated = 0;
  private freeBytes = 0;
  private count = 0;
  /** Called when a buffer is destroyed, so bind groups naming it can be forgotten. */
  onDestroy: (slab: Slab) => void = () => {};
  /**
   * Called before buffers are destroyed: recorded work not yet submitted may use them, and a
   * submit naming a destroyed buffer fails, so that work must be submitted first.
   */
  beforeDestroy: () => void = () => {};

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number,
    private readonly label: string,
    private readonly maxBytes: number,
    public freeCap = 256 * 2 ** 20,
  ) {}

  /**
   * A slab of at least `bytes`. With `cleanSince`, only a slab released before that batch is
   * taken: the queue writes uploads before it runs the current batch, so a slab that batch may
   * still read must not receive one. Kernel outputs can take any slab, since dispatches run in order.
   */
  acquire(bytes: number, cleanSince = Infinity): Slab {
    const size = bucketSize(bytes);
    if (size > this.maxBytes) {
      throw new GradlabError(
        `webgpu: a buffer of ${mib(bytes)} is larger than this GPU allows for one buffer (${mib(this.maxBytes)}); use smaller tensors (e.g. a smaller batch) or setBackend('cpu')`,
      );
    }
    const list = this.free.get(size);
    if (list) {
      for (let i = list.length - 1; i >= 0; i--) {
        const slab = list[i]!;
        if (slab.releasedIn >= cleanSince) continue;
        list.splice(i, 1);
        this.freeBytes -= size;
        const at = this.order.lastIndexOf(slab);
        if (at >= 0) this.order.splice(at, 1);
        return slab;
      }
    }
    return this.create(size);
  }

  release(slab: Slab, batch = 0): void {
    slab.releasedIn = batch;
    let list = this.free.get(slab.size);
    if (!list) this.free.set(slab.size, (list = []));
    list.push(slab);
    this.order.push(slab);
    this.freeBytes += slab.size;
    if (this.freeBytes > this.freeCap) this.trim(this.freeCap / 2);
  }

  /** Destroys free buffers, oldest first, until at most `keepBytes` wait in the pool. */
  trim(keepBytes = 0): void {
    if (this.freeBytes > keepBytes && this.order.length > 0) this.beforeDestroy();
    while (this.freeBytes > keepBytes && this.order.length > 0) {
      const slab = this.order.shift()!;
      const list = this.free.get(slab.size)!;
      list.splice(list.indexOf(slab), 1);
      this.freeBytes -= slab.size;
      this.destroy(slab);
    }
  }

  stats(): PoolStats {
    return { allocatedBytes: this.allocated, freeBytes: this.freeBytes, buffers: this.count };
  }

  private create(size: number): Slab {
    // Out-of-memory arrives later as an uncaptured error (see DeviceState).
    const buffer = this.device.createBuffer({ size, usage: this.usage, label: this.label });
    this.allocated += size;
    this.count++;
    return { id: nextId++, buffer, size, releasedIn: -1 };
  }

  private destroy(slab: Slab): void {
    this.allocated -= slab.size;
    this.count--;
    this.onDestroy(slab);
    slab.buffer.destroy();
  }
}

export function mib(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
