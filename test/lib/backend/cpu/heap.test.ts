import { describe, expect, it } from "vitest";
import { randn, tensor, zeros } from "../../../../lib/index.js";
import { CpuBackend, RESIDENT_MIN_BYTES } from "../../../../lib/backend/cpu/cpu-backend.js";
import { ReferenceCpuBackend } from "../../../../lib/backend/cpu/reference-backend.js";
import { blockSize, WasmHeap } from "../../../../lib/backend/cpu/wasm/heap.js";
import { CPU_TRACK_MIN_BYTES } from "../../../../lib/tensor/storage.js";

describe("Wasm heap allocator", () => {
  it("serves requests from a quarter-octave ladder of 64-byte multiples", () => {
    expect([1, 64, 65, 1000, 1024, 1025, 1300, 4097].map(blockSize)).toEqual([64, 64, 128, 1024, 1024, 1280, 1536, 5120]);
    for (let b = 1; b < 1e6; b = Math.ceil(b * 1.37)) {
      const s = blockSize(b);
      expect(s % 64).toBe(0);
      expect(s).toBeGreaterThanOrEqual(b);
      expect(s).toBeLessThanOrEqual(Math.max(64, 1.25 * b + 64));
    }
  });

  it("recycles freed blocks of the same class, aligned to 64 bytes", () => {
    const heap = new WasmHeap(true, 1);
    const a = heap.alloc(5000, false);
    const b = heap.alloc(5000, false);
    expect(a % 64).toBe(0);
    expect(b).not.toBe(a);
    heap.free(a);
    expect(heap.alloc(4900, false)).toBe(a);
    heap.free(b);
    heap.free(b); // a second free of the same block is ignored
    expect(heap.stats().freeBlocks).toBe(1);
  });

  it("caps bytes held by tensors at the resident budget, but not scratch", () => {
    const heap = new WasmHeap(true, 1);
    heap.residentBudget = 10_000;
    const p = heap.alloc(8000, true);
    expect(p).not.toBe(0);
    expect(heap.alloc(8000, true)).toBe(0);
    expect(heap.alloc(8000, false)).not.toBe(0);
    heap.free(p);
    expect(heap.stats().residentBytes).toBe(0);
    expect(heap.alloc(8000, true)).not.toBe(0);
  });

  it("stops carving tensor blocks once a loop frees none, until one comes back", () => {
    const heap = new WasmHeap(true, 1);
    heap.growthWithoutFree = 20_000;
    const a = heap.alloc(8000, true);
    const b = heap.alloc(8000, true);
    expect(a && b).toBeTruthy();
    expect(heap.alloc(8000, true)).toBe(0); // a third would pass 20 kB carved with nothing freed
    // Scratch keeps its own blocks, so tensors cannot take them and make scratch carve more.
    const s = heap.alloc(8000, false);
    heap.free(s);
    expect(heap.alloc(8000, true)).toBe(0);
    expect(heap.alloc(8000, false)).toBe(s);
    heap.free(a); // recycling resumed
    expect(heap.alloc(8000, true)).toBe(a);
    expect(heap.alloc(8000, true)).not.toBe(0);
  });

  it("keeps earlier views valid while the shared memory grows", () => {
    const heap = new WasmHeap(true, 1);
    const p = heap.alloc(4096, true);
    const early = heap.view("float32", p, 1024) as Float32Array;
    early.fill(2.5);
    const before = heap.stats().memoryBytes;
    heap.alloc(8 << 20, false); // forces growth
    expect(heap.stats().memoryBytes).toBeGreaterThan(before);
    expect(heap.owns(early)).toBe(true);
    expect(early[1023]).toBe(2.5);
    const late = heap.view("float32", p, 1024) as Float32Array;
    late[0] = -1;
    expect(early[0]).toBe(-1); // same memory
  });
});

describe("tensor storage in Wasm memory", () => {
  it("only buffers that Storage hands back on release go into the heap", () => {
    expect(RESIDENT_MIN_BYTES).toBeGreaterThanOrEqual(CPU_TRACK_MIN_BYTES);
  });

  it("large tensors live in the heap and dispose() returns their block", () => {
    const t = randn([64, 64]);
    const be = t.storage.backend as CpuBackend;
    const heap = be.wasm!.rt.heap;
    expect(heap.owns(t.buf as Float32Array)).toBe(true);
    const y = t.relu();
    expect(heap.owns(y.buf as Float32Array)).toBe(true);
    const held = heap.stats().residentBytes;
    y.dispose();
    expect(heap.stats().residentBytes).toBe(held - blockSize(64 * 64 * 4));
  });

  it("outputs that must start at zero are zeroed even in a recycled block", () => {
    for (let rep = 0; rep < 3; rep++) {
      // Leave dirty blocks of the right class in the free list.
      for (let i = 0; i < 4; i++) tensor(new Float32Array(64 * 64).fill(7)).dispose();
      expect(zeros([64, 64]).sum().itemSync()).toBe(0);
      for (let i = 0; i < 4; i++) tensor(new Float32Array(64 * 64).fill(7)).dispose();
      // The gradient of a slice embeds it into zeros (backend.embed).
      const x = randn([64, 64], { requiresGrad: true });
      x.slice([0, 32]).sum().backward();
      expect(x.grad!.sum().itemSync()).toBe(32 * 64);
    }
  });

  it("small tensors stay in plain arrays (the lean path allocates nothing else)", () => {
    const t = tensor([[1, 2], [3, 4]]);
    const be = t.storage.backend as CpuBackend;
    expect(be.wasm!.rt.heap.owns(t.add(1).buf as Float32Array)).toBe(false);
  });

  it("relu gives +0 for every non-positive input, on both paths", () => {
    const small = tensor([-3, -0, 0, 2]).relu().dataSync();
    const big = tensor(new Float32Array(1024).fill(-3)).relu().dataSync();
    expect(Object.is(small[0], 0) && Object.is(small[1], 0) && small[3] === 2).toBe(true);
    expect(big.every((v) => Object.is(v, 0))).toBe(true);
  });

  it("never lets two tensors own one block: uploading a heap array copies it", () => {
    const be = new CpuBackend({ threads: 1 });
    const heap = be.wasm!.rt.heap;
    const a = be.upload(new Float32Array(1024).fill(1));
    const b = be.upload(a);
    expect(heap.owns(a) && heap.owns(b)).toBe(true);
    expect(b.byteOffset).not.toBe(a.byteOffset);
    be.dispose(a);
    be.dispose(b);
    expect(heap.stats().residentBytes).toBe(0);
  });

  it("without shared memory (a browser page without cross-origin isolation) kernels copy in and out", () => {
    const be = new CpuBackend({ sharedMemory: false });
    const ref = new ReferenceCpuBackend();
    expect(be.wasm!.rt.heap.shared).toBe(false);
    const v = (buf: Float32Array, shape: number[]) => ({ buf, shape, strides: shape.length === 2 ? [shape[1]!, 1] : [1], offset: 0, dtype: "float32" as const });
    const a = be.upload(Float32Array.from({ length: 96 * 80 }, (_, i) => Math.sin(i)));
    const b = be.upload(Float32Array.from({ length: 80 * 70 }, (_, i) => Math.cos(i)));
    expect(be.wasm!.rt.heap.owns(a)).toBe(false); // tensors stay in JS arrays
    const c = be.matmul(v(a as Float32Array, [96, 80]), v(b as Float32Array, [80, 70]), "float32");
    expect(be.wasm!.rt.heap.owns(c)).toBe(false);
    const want = ref.matmul(v(a as Float32Array, [96, 80]), v(b as Float32Array, [80, 70]), "float32");
    for (let i = 0; i < want.length; i++) expect(Math.abs(c[i]! - want[i]!)).toBeLessThan(1e-4);
    // Enough scratch to make the unshared memory grow (which detaches its old buffer) mid-session.
    const big = be.upload(new Float32Array(3 << 20).fill(-2));
    const r = be.unary("relu", v(big as Float32Array, [3 << 20]), "float32");
    expect(r.length).toBe(3 << 20);
    expect(r.every((x) => x === 0)).toBe(true);
    expect(be.binary("add", v(a as Float32Array, [96, 80]), v(a as Float32Array, [96, 80]), [96, 80], "float32")[5]).toBeCloseTo(2 * Math.sin(5), 5);
  });

  it("the backend without Wasm is the plain reference", () => {
    const be = new CpuBackend({ wasm: false });
    expect(be.wasm).toBeNull();
    const x = be.upload(new Float32Array(4096).fill(1));
    expect(x).toBeInstanceOf(Float32Array);
    expect(be.reduce("sum", { buf: x, shape: [4096], strides: [1], offset: 0, dtype: "float32" }, [0], "float32")[0]).toBe(4096);
  });
});
