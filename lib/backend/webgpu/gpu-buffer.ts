import type { TypedArray } from "../../tensor/dtype.js";
import type { Binding } from "./batch.js";
import type { Fused } from "./fusion.js";
import type { Slab } from "./pool.js";

/**
 * A tensor's memory on the GPU: `length` 4-byte elements (bool is stored as u32) at `offset` in
 * a slab, bound as a window of `size` bytes. Large tensors own a pooled slab; small ones are
 * cells of a shared slab. An elementwise result starts lazy: it holds the fused expression that
 * computes it and gets memory only when a kernel or a read needs it. A small tensor made from
 * host values, or computed from such tensors, lives on the host (`host`) and is copied to the
 * GPU only when a kernel reads it.
 */
export class GpuBuffer implements Binding {
  slab!: Slab;
  offset = 0;
  size = 0;
  cell = false;
  /** Its tensor was disposed or collected. */
  released = false;
  /** The expression still to be computed, while lazy. */
  lazy: Fused | null = null;
  /** Lazy expressions that read this buffer: its memory is freed only when none is left. */
  pins = 0;
  freeWhenUnpinned = false;
  /**
   * The values on the host, in the CPU backend's layout (bool as bytes). Tensors never change
   * their values; a kernel that reads them gets a copy placed on the GPU for a batch or two.
   */
  host: TypedArray | null = null;
  /** The batch that last read the GPU copy of a host tensor (see GpuMemory.placeCopy). */
  usedIn = 0;
  /**
   * The values of a GPU buffer once read back whole (buffers never change), so printing the
   * tensor again needs no await; kept only for small buffers (see READBACK_KEEP_ELEMENTS).
   */
  readBack: TypedArray | null = null;

  constructor(
    readonly length: number,
    /** Host copy of an uploaded index tensor, so gather can reject a bad index at once, as on the CPU. */
    readonly shadow: Int32Array | null = null,
  ) {}

  /** Whether the buffer has GPU memory (a lazy or host-only buffer has none yet). */
  get placed(): boolean {
    return this.slab !== undefined;
  }

  /** Gives its GPU memory back (a host tensor's copy, after use): the next use places it again. */
  unplace(): void {
    (this as { slab: Slab | undefined }).slab = undefined;
    this.offset = 0;
    this.size = 0;
    this.cell = false;
  }

  place(slab: Slab, offset: number, size: number, cell: boolean): this {
    this.slab = slab;
    this.offset = offset;
    this.size = size;
    this.cell = cell;
    return this;
  }
}
