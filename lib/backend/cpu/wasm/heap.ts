import type { DType, TypedArray } from "../../../tensor/dtype.js";

const PAGE = 65536;
/** Wasm32 addresses reach 4 GiB: 65536 pages. A shared memory reserves this address space up front. */
export const MAX_PAGES = 65536;
const ALIGN = 64;

/**
 * Byte size of the block serving a request: a multiple of 64 (one cache line, any SIMD
 * alignment) on a quarter-octave ladder (…, 1024, 1280, 1536, 1792, 2048, …), so a freed block
 * serves any later request of its class and at most a quarter of a block is wasted.
 */
export function blockSize(bytes: number): number {
  if (bytes <= ALIGN) return ALIGN;
  const e = 31 - Math.clz32(bytes - 1); // 2^e < bytes ≤ 2^(e+1)
  const quarter = Math.max(ALIGN, 2 ** (e - 2));
  return Math.ceil(bytes / quarter) * quarter;
}

export interface HeapStats {
  /** Bytes of the Wasm memory (grows, never shrinks). */
  readonly memoryBytes: number;
  /** Bytes in blocks backing live tensors. */
  readonly residentBytes: number;
  /** Blocks waiting in free lists. */
  readonly freeBlocks: number;
}

/**
 * The Wasm memory kernels run in, and an allocator over it. Tensors whose storage lives here
 * (typed-array views of the memory) are read and written by kernels without copies.
 *
 * With a shared memory, growing never detaches views made before: each keeps covering the
 * bytes it was made over, so tensor views stay valid forever (a non-shared memory would
 * detach every view on growth, so there tensors stay in JS arrays and kernels copy).
 *
 * Blocks come back through `free` when a tensor is disposed or garbage-collected. The garbage
 * collector does not see Wasm memory and finalizers only run between tasks, so a synchronous
 * loop (a training epoch whose awaits are all microtasks) recycles nothing until it yields.
 * Carving fresh memory for every tensor there would cost a page fault per 4 KiB on first
 * touch, more than the two copies a kernel makes for a tensor in a plain JS array, whose
 * memory V8's collector does recycle mid-loop. So once `growthWithoutFree` bytes of new
 * tensor blocks have been carved with no tensor block returned, tensors get JS arrays until
 * blocks come back; `residentBudget` caps the bytes tensors hold in all. Scratch space
 * (packing, staging) is not capped: it is freed at the end of each kernel call.
 */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  residentBudget = 256 * 1024 * 1024;
  growthWithoutFree = 64 * 1024 * 1024;
  private buffer: ArrayBuffer | SharedArrayBuffer;
  private readonly buffers = new Set<ArrayBufferLike>();
  private top = ALIGN; // address 0 stays unused so a null pointer is never a block
  private resident = 0;
  /** Bytes of tensor blocks carved since a tensor block was last freed. */
  private carved = 0;
  /**
   * Free blocks by size, tensor blocks and scratch blocks apart: if tensors took blocks freed
   * by scratch, scratch would carve new memory on every call and the growth cap would be moot.
   */
  private readonly freeLists = { resident: new Map<number, number[]>(), scratch: new Map<number, number[]>() };
  /**
   * Block start → its size, negative while it backs a tensor, 0 while free. Entries are never
   * deleted: V8 Maps slow to ~30 µs per operation under delete/re-insert churn of one key,
   * and the set of block starts only grows as the bump pointer carves new blocks anyway.
   */
  private readonly blocks = new Map<number, number>();

  constructor(shared: boolean, initialPages = 16) {
    this.shared = shared;
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared } as WebAssembly.MemoryDescriptor);
    this.buffer = this.memory.buffer;
    this.buffers.add(this.buffer);
  }

  /** Whether a typed array's memory is this heap (so kernels can use it in place). */
  owns(a: TypedArray): boolean {
    return this.buffers.has(a.buffer);
  }

  /** The whole memory as bytes; re-read after any allocation, which may grow (and, unshared, detach) it. */
  get bytes(): ArrayBuffer | SharedArrayBuffer {
    return this.buffer;
  }

  /**
   * A block of at least `bytes`, 64-byte aligned, or 0 when it cannot be had (a resident
   * block over the budget, or the 4 GiB address space exhausted).
   */
  alloc(bytes: number, resident: boolean): number {
    const size = blockSize(bytes);
    if (resident && this.resident + size > this.residentBudget) return 0;
    let ptr = this.freeLists[resident ? "resident" : "scratch"].get(size)?.pop() ?? 0;
    if (ptr === 0) {
      if (resident && this.carved + size > this.growthWithoutFree) return 0;
      if (!this.reserve(this.top + size)) return 0;
      ptr = this.top;
      this.top += size;
      if (resident) this.carved += size;
    }
    this.blocks.set(ptr, resident ? -size : size);
    if (resident) this.resident += size;
    return ptr;
  }

  free(ptr: number): void {
    const tagged = this.blocks.get(ptr);
    if (!tagged) return; // not a block start, or already free
    this.blocks.set(ptr, 0);
    const size = Math.abs(tagged);
    if (tagged < 0) {
      this.resident -= size;
      this.carved = 0; // tensors are being recycled: carving new blocks pays off again
    }
    const lists = this.freeLists[tagged < 0 ? "resident" : "scratch"];
    let list = lists.get(size);
    if (!list) lists.set(size, (list = []));
    list.push(ptr);
  }

  /** A typed-array view of `n` elements at `ptr` (a tensor's storage). */
  view(dtype: DType, ptr: number, n: number): TypedArray {
    switch (dtype) {
      case "float32": return new Float32Array(this.buffer, ptr, n);
      case "float64": return new Float64Array(this.buffer, ptr, n);
      case "int32": return new Int32Array(this.buffer, ptr, n);
      case "bool": return new Uint8Array(this.buffer, ptr, n);
    }
  }

  stats(): HeapStats {
    let freeBlocks = 0;
    for (const lists of [this.freeLists.resident, this.freeLists.scratch]) for (const l of lists.values()) freeBlocks += l.length;
    return { memoryBytes: this.buffer.byteLength, residentBytes: this.resident, freeBlocks };
  }

  private reserve(end: number): boolean {
    const have = this.buffer.byteLength;
    if (end <= have) return true;
    // Grow by at least an eighth of the current size so a growing workload grows rarely.
    const needPages = Math.ceil((end - have) / PAGE);
    const pages = Math.min(Math.max(needPages, Math.ceil(have / PAGE / 8)), MAX_PAGES - have / PAGE);
    if (pages < needPages) return false;
    try {
      this.memory.grow(pages);
    } catch {
      return false;
    }
    this.buffer = this.memory.buffer;
    this.buffers.add(this.buffer);
    return true;
  }
}
