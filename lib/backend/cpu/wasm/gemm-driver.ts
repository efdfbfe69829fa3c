import type { TypedArray } from "../../../tensor/dtype.js";
import type { View } from "../../backend.js";
import type { NativeBlas } from "../native-blas.js";
import type { Arena } from "./arena.js";
import type { GemmShape } from "./kernels/gemm.js";
import type { WasmRuntime } from "./runtime.js";

/**
 * Cache blocking (BLIS): a slice of at most KC steps of k is packed once, then C is computed
 * in MC × NC blocks. A KC × NR panel of B (16 KiB) and an MR × KC panel of A (8–12 KiB) stay in
 * L1 (≥ 32 KiB on current x86 and ARM cores) while MC/MR micro-tiles stream a KC × MC block
 * of A (256–384 KiB) from L2. Measured: kc 256 → 40, kc ≥ 392 → 44 GFLOP/s per thread (4×8 tile).
 */
export const KC = 512;
export const NC = 512;

/**
 * Rows of a block for an m-row product: at most 32 micro-tiles, and blocks as even as whole
 * tiles allow, so that threads sharing them finish together (256 rows of 6-row tiles: 132 + 124,
 * not 192 + 64). Without m, the most a block can have (scratch sizes).
 */
export function blockRows(shape: GemmShape, m = 0): number {
  const most = 32 * shape.MR;
  if (m <= most) return most;
  return Math.ceil(m / Math.ceil(m / most) / shape.MR) * shape.MR;
}

/** Depth of each k-slice: as even as possible (k = 784 → 2 × 392, not 512 + 272). */
export function sliceDepth(k: number): number {
  return Math.ceil(k / Math.ceil(k / KC));
}

/**
 * One KC-slice of a 2-D product: C[m×n] (= or +=) A[m×kc] · B[kc×n], its blocks independent
 * units of work. Operands are given unpacked (addresses of the slice's first element and
 * strides, all in bytes): the thread that computes a block packs the panels it needs into its
 * own scratch. Packed panels then stay in the cache of the core that reads them; when one
 * thread packed for all, every slice made the other core fetch them across (measured: the
 * packing of a 64×784·784×128 product went from 18 to 70–260 µs with a helper thread).
 */
export interface GemmSlice {
  a: number;
  rsa: number;
  csa: number;
  b: number;
  rsb: number;
  csb: number;
  c: number;
  m: number;
  n: number;
  kc: number;
  /** Bytes between rows of C. */
  ldc: number;
  accumulate: boolean;
  /** Block size in rows (a multiple of MR) and columns (a multiple of NR). */
  mc: number;
  nc: number;
}

/** A thread's packing scratch, and which panels it holds now (so consecutive blocks reuse them). */
export interface PackScratch {
  /** MC×KC floats for an A panel, KC×NC for a B panel, MR×NR for ragged edge tiles. */
  ap: number;
  bp: number;
  tmp: number;
  /** Row / column of the block whose A / B panel is packed; -1 for none (reset per slice). */
  packedA: number;
  packedB: number;
}

/** Scratch bytes for packing blocks of at most mc × nc with depth kc. */
export function packBytes({ MR, NR }: GemmShape, mc: number, nc: number, kc: number): { ap: number; bp: number; tmp: number } {
  return { ap: Math.ceil(mc / MR) * MR * kc * 4, bp: Math.ceil(nc / NR) * NR * kc * 4, tmp: MR * NR * 4 };
}

export function blockCount(s: GemmSlice): number {
  return Math.ceil(s.m / s.mc) * Math.ceil(s.n / s.nc);
}

/**
 * Computes block `t` of a slice (column-block-major, so consecutive blocks share a B panel),
 * packing its panels first unless this thread already holds them. The worker's copy of this
 * is in threads.ts.
 */
export function runBlock(rt: WasmRuntime, s: GemmSlice, t: number, p: PackScratch): void {
  const rowBlocks = Math.ceil(s.m / s.mc);
  const ib = (t % rowBlocks) * s.mc;
  const jb = Math.floor(t / rowBlocks) * s.nc;
  const rows = Math.min(s.mc, s.m - ib);
  const cols = Math.min(s.nc, s.n - jb);
  const k = rt.kernels;
  if (p.packedA !== ib) {
    k.packA(s.a + ib * s.rsa, s.rsa, s.csa, rows, s.kc, p.ap);
    p.packedA = ib;
  }
  if (p.packedB !== jb) {
    k.packB(s.b + jb * s.csb, s.csb, s.rsb, cols, s.kc, p.bp);
    p.packedB = jb;
  }
  k.gemmMacro(p.ap, p.bp, s.c + ib * s.ldc + jb * 4, rows, cols, s.kc, s.ldc, s.accumulate ? 1 : 0, p.tmp);
}

/** Runs every block of a slice with the calling thread's scratch; the threaded pool replaces this to share blocks. */
export type SliceRunner = (s: GemmSlice, scratch: PackScratch) => void;

/**
 * out[...batch, m, n] = a[...batch, m, k] @ b[...batch, k, n] in float32, any strides (the
 * transposed operands of a backward pass are packed like any other). Returns false when the
 * heap cannot hold the scratch, so the caller falls back to the reference.
 */
export function gemm(
  rt: WasmRuntime, arena: Arena, a: View<TypedArray>, b: View<TypedArray>, out: TypedArray, runSlice: SliceRunner,
  native: NativeBlas | null = null,
): boolean {
  const nd = a.shape.length;
  const m = a.shape[nd - 2]!;
  const k = a.shape[nd - 1]!;
  const n = b.shape[nd - 1]!;
  if (k === 0) {
    out.fill(0);
    return true;
  }
  const aPtr = arena.input(a);
  const bPtr = arena.input(b);
  const cPtr = arena.output(out);
  if (!aPtr || !bPtr || !cPtr) {
    arena.release();
    return false;
  }
  const [rsa, csa] = [a.strides[nd - 2]! * 4, a.strides[nd - 1]! * 4];
  const [rsb, csb] = [b.strides[nd - 2]! * 4, b.strides[nd - 1]! * 4];
  const matrices = a.shape.slice(0, nd - 2).reduce((p, d) => p * d, 1);
  // The native BLAS takes whole products and needs no packing scratch. It declines a layout
  // contiguous along neither axis before computing anything, and every matrix of a batch has the
  // same layout: declined at the first, the packing kernels below do them all; declined later
  // (an operand outside memory, which would be a bug) the caller's reference does.
  if (native && m > 0 && n > 0) {
    const memory = new Uint8Array(rt.heap.bytes);
    let done = 0;
    forEachMatrix(a, b, (aOff, bOff, t) =>
      native.sgemm(memory, aPtr + aOff, rsa / 4, csa / 4, bPtr + bOff, rsb / 4, csb / 4, cPtr + t * m * n * 4, m, n, k, n, 0) && ++done > 0,
    );
    if (done === matrices) {
      arena.finish();
      return true;
    }
    if (done > 0) {
      arena.release();
      return false;
    }
  }
  const kc = sliceDepth(k);
  const mc = blockRows(rt.gemm, m);
  const bytes = packBytes(rt.gemm, Math.min(m, mc), Math.min(n, NC), kc);
  const scratch: PackScratch = { ap: arena.scratch(bytes.ap), bp: arena.scratch(bytes.bp), tmp: arena.scratch(bytes.tmp), packedA: -1, packedB: -1 };
  if (!scratch.ap || !scratch.bp || !scratch.tmp) {
    arena.release();
    return false;
  }
  forEachMatrix(a, b, (aOff, bOff, t) => {
    const c = cPtr + t * m * n * 4;
    for (let pc = 0; pc < k; pc += kc) {
      const depth = Math.min(kc, k - pc);
      scratch.packedA = scratch.packedB = -1;
      runSlice(
        { a: aPtr + aOff + pc * csa, rsa, csa, b: bPtr + bOff + pc * rsb, rsb, csb, c, m, n, kc: depth, ldc: n * 4, accumulate: pc > 0, mc, nc: NC },
        scratch,
      );
    }
    return true;
  });
  arena.finish();
  return true;
}

/**
 * Calls `visit` with the byte offsets of a's and b's t-th matrix over their batch axes (all
 * but the last two; the output's are contiguous), until it returns false.
 */
function forEachMatrix(a: View<TypedArray>, b: View<TypedArray>, visit: (aOff: number, bOff: number, t: number) => boolean): void {
  const batch = a.shape.slice(0, a.shape.length - 2);
  const idx = new Array<number>(batch.length).fill(0);
  const total = batch.reduce((p, d) => p * d, 1);
  let aOff = 0;
  let bOff = 0;
  for (let t = 0; t < total; t++) {
    if (!visit(aOff, bOff, t)) return;
    for (let d = batch.length - 1; d >= 0; d--) {
      idx[d]!++;
      aOff += a.strides[d]! * 4;
      bOff += b.strides[d]! * 4;
      if (idx[d]! < batch[d]!) break;
      aOff -= a.strides[d]! * 4 * batch[d]!;
      bOff -= b.strides[d]! * 4 * batch[d]!;
      idx[d] = 0;
    }
  }
}
