import type { TypedArray } from "../../../tensor/dtype.js";
import type { View } from "../../backend.js";
import type { Arena } from "./arena.js";
import { GEMM, type WasmRuntime } from "./runtime.js";

/**
 * Cache blocking (BLIS): a slice of at most KC steps of k is packed once, then C is computed
 * in MC × NC blocks. A KC × NR panel of B (16 KiB) and an MR × KC panel of A (8 KiB) stay in
 * L1 (≥ 32 KiB on current x86 and ARM cores) while MC/MR micro-tiles stream a KC × MC block
 * of A (256 KiB) from L2. Measured: kc 256 → 40, kc ≥ 392 → 44 GFLOP/s per thread.
 */
export const KC = 512;
export const MC = 128;
export const NC = 512;

/** Depth of each k-slice: as even as possible (k = 784 → 2 × 392, not 512 + 272). */
export function sliceDepth(k: number): number {
  return Math.ceil(k / Math.ceil(k / KC));
}

const { MR, NR } = GEMM;

/** One packed KC-slice of a 2-D product: its blocks are independent units of work. */
export interface GemmSlice {
  ap: number;
  bp: number;
  c: number;
  m: number;
  n: number;
  kc: number;
  /** Bytes between rows of C. */
  ldc: number;
  accumulate: boolean;
  /** MR×NR floats of scratch for ragged edge tiles (the calling thread's). */
  tmp: number;
  /** Block size in rows (a multiple of MR) and columns (a multiple of NR). */
  mc: number;
  nc: number;
}

export function blockCount(s: GemmSlice): number {
  return Math.ceil(s.m / s.mc) * Math.ceil(s.n / s.nc);
}

/**
 * Computes block `t` of a slice (column-block-major, so consecutive blocks share a B panel);
 * `tmp`: MR×NR floats of this thread's scratch. The worker's copy of this is in threads.ts.
 */
export function runBlock(rt: WasmRuntime, s: GemmSlice, t: number, tmp = s.tmp): void {
  const rowBlocks = Math.ceil(s.m / s.mc);
  const ib = (t % rowBlocks) * s.mc;
  const jb = Math.floor(t / rowBlocks) * s.nc;
  rt.kernels.gemmMacro(
    s.ap + ib * s.kc * 4, s.bp + jb * s.kc * 4, s.c + ib * s.ldc + jb * 4,
    Math.min(s.mc, s.m - ib), Math.min(s.nc, s.n - jb), s.kc, s.ldc, s.accumulate ? 1 : 0, tmp,
  );
}

/** Runs every block of a slice; the threaded pool replaces this to share blocks between threads. */
export type SliceRunner = (s: GemmSlice) => void;

/**
 * out[...batch, m, n] = a[...batch, m, k] @ b[...batch, k, n] in float32, any strides (the
 * transposed operands of a backward pass are packed like any other). Returns false when the
 * heap cannot hold the scratch, so the caller falls back to the reference.
 */
export function gemm(
  rt: WasmRuntime, arena: Arena, a: View<TypedArray>, b: View<TypedArray>, out: TypedArray, runSlice: SliceRunner,
): boolean {
  const nd = a.shape.length;
  const m = a.shape[nd - 2]!;
  const k = a.shape[nd - 1]!;
  const n = b.shape[nd - 1]!;
  if (k === 0) {
    out.fill(0);
    return true;
  }
  const kc = sliceDepth(k);
  const aPtr = arena.input(a);
  const bPtr = arena.input(b);
  const cPtr = arena.output(out);
  const ap = arena.scratch(Math.ceil(m / MR) * MR * kc * 4);
  const bp = arena.scratch(Math.ceil(n / NR) * NR * kc * 4);
  const tmp = arena.scratch(MR * NR * 4);
  if (!aPtr || !bPtr || !cPtr || !ap || !bp || !tmp) {
    arena.release();
    return false;
  }
  const [rsa, csa] = [a.strides[nd - 2]! * 4, a.strides[nd - 1]! * 4];
  const [rsb, csb] = [b.strides[nd - 2]! * 4, b.strides[nd - 1]! * 4];
  const batch = a.shape.slice(0, nd - 2);
  const idx = new Array<number>(batch.length).fill(0);
  let aOff = 0;
  let bOff = 0;
  let total = 1;
  for (const d of batch) total *= d;
  for (let t = 0; t < total; t++) {
    const c = cPtr + t * m * n * 4;
    for (let pc = 0; pc < k; pc += kc) {
      const depth = Math.min(kc, k - pc);
      rt.kernels.packA(aPtr + aOff + pc * csa, rsa, csa, m, depth, ap);
      rt.kernels.packB(bPtr + bOff + pc * rsb, csb, rsb, n, depth, bp);
      runSlice({ ap, bp, c, m, n, kc: depth, ldc: n * 4, accumulate: pc > 0, tmp, mc: MC, nc: NC });
    }
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
  arena.finish();
  return true;
}
