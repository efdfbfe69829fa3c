import type { KernelSource } from "../kernel.js";
import { prelude } from "./prelude.js";

/** Output tile per workgroup (rows × cols), the k-slice staged per step, and the per-thread block. */
export interface Tile {
  tm: number;
  tn: number;
  tk: number;
}

/** Each thread computes a 4×4 block of the output, so a tile of tm×tn runs (tm/4)·(tn/4) threads. */
export function tileThreads(t: Tile): number {
  return (t.tm / 4) * (t.tn / 4);
}

/**
 * Parameters: [M, N, K, batchBase, aOff, aRow, aCol, bOff, bRow, bCol, batch shape (nb),
 * a's batch strides (nb), b's batch strides (nb)]. Strides are free, so transposed and broadcast
 * operands (what the backward pass makes) need no copies.
 */
export function matmulMetaWords(nb: number): number {
  return 10 + 3 * nb;
}

/** Stores 4 consecutive outputs of a row, those inside the matrix (N columns). */
const WRITE4 = `fn write4(o: u32, col: u32, N: u32, v: vec4<f32>) {
  if (col < N) { dst[o + col] = v.x; }
  if (col + 1u < N) { dst[o + col + 1u] = v.y; }
  if (col + 2u < N) { dst[o + col + 2u] = v.z; }
  if (col + 3u < N) { dst[o + col + 3u] = v.w; }
}`;

/**
 * WGSL that unpacks the parameters (see matmulMetaWords) and moves aBase and bBase to this
 * workgroup's matrices of the batch (workgroup z).
 */
function readParams(nb: number): string {
  const lines = [
    "let M = mu(0u);", "let N = mu(1u);", "let K = mu(2u);", "let batch = wid.z + mu(3u);",
    "var aBase = mi(4u);", "let aRow = mi(5u);", "let aCol = mi(6u);",
    "var bBase = mi(7u);", "let bRow = mi(8u);", "let bCol = mi(9u);",
  ];
  if (nb > 0) {
    lines.push("var q = batch;");
    for (let d = nb - 1; d >= 0; d--) {
      const shape = 10 + d;
      lines.push(
        d > 0
          ? `{ let c = q % mu(${shape}u); q = q / mu(${shape}u); aBase = aBase + i32(c) * mi(${10 + nb + d}u); bBase = bBase + i32(c) * mi(${10 + 2 * nb + d}u); }`
          : `aBase = aBase + i32(q) * mi(${10 + nb}u); bBase = bBase + i32(q) * mi(${10 + 2 * nb}u);`,
      );
    }
  }
  return lines.join("\n  ");
}

/**
 * Tiled matmul: the workgroup stages a tm×tk slice of A and a tk×tn slice of B in shared memory,
 * then each thread accumulates its 4×4 block from them as vec4 multiply-adds. Edge tiles load
 * zeros past the matrix, so any M, N, K works. (Giving each thread 4 columns strided by tn/4,
 * so that neighbouring threads read neighbouring addresses, measured 25% slower on llvmpipe.)
 */
export function matmulKernel(tile: Tile, nb: number): KernelSource {
  const { tm, tn, tk } = tile;
  const wx = tn / 4;
  const wy = tm / 4;
  const threads = wx * wy;
  const metaWords = matmulMetaWords(nb);
  const accLines: string[] = [];
  for (let i = 0; i < 4; i++) accLines.push(`acc${i} = acc${i} + As[ka + ${i}u] * b;`);
  const writeLines: string[] = [];
  for (let i = 0; i < 4; i++) writeLines.push(`if (row + ${i}u < M) { write4(outBase + (row + ${i}u) * N, col, N, acc${i}); }`);
  const code = `
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
${prelude(metaWords, 3)}
${WRITE4}
var<workgroup> As: array<f32, ${tm * tk}>;
var<workgroup> Bs: array<vec4<f32>, ${(tk * tn) / 4}>;
fn loadB(base: i32, k: u32, n: u32, K: u32, N: u32, bRow: i32, bCol: i32) -> f32 {
  if (k < K && n < N) { return B[u32(base + i32(k) * bRow + i32(n) * bCol)]; }
  return 0.0;
}
@compute @workgroup_size(${wx}, ${wy})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  ${readParams(nb)}
  let row0 = wid.y * ${tm}u;
  let col0 = wid.x * ${tn}u;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < K; k0 = k0 + ${tk}u) {
    for (var l = li; l < ${tm * tk}u; l = l + ${threads}u) {
      let m = l / ${tk}u;
      let kk = l % ${tk}u;
      let gr = row0 + m;
      let gk = k0 + kk;
      var v = 0.0;
      if (gr < M && gk < K) { v = A[u32(aBase + i32(gr) * aRow + i32(gk) * aCol)]; }
      As[kk * ${tm}u + m] = v;
    }
    for (var l = li; l < ${(tk * tn) / 4}u; l = l + ${threads}u) {
      let kk = l / ${tn / 4}u;
      let n = col0 + (l % ${tn / 4}u) * 4u;
      let gk = k0 + kk;
      Bs[l] = vec4<f32>(loadB(bBase, gk, n, K, N, bRow, bCol), loadB(bBase, gk, n + 1u, K, N, bRow, bCol),
                        loadB(bBase, gk, n + 2u, K, N, bRow, bCol), loadB(bBase, gk, n + 3u, K, N, bRow, bCol));
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${tk}u; kk = kk + 1u) {
      let b = Bs[kk * ${tn / 4}u + lid3.x];
      let ka = kk * ${tm}u + lid3.y * 4u;
      ${accLines.join("\n      ")}
    }
    workgroupBarrier();
  }
  let row = row0 + lid3.y * 4u;
  let col = col0 + lid3.x * 4u;
  let outBase = batch * M * N;
  ${writeLines.join("\n  ")}
}`;
  return { code, reads: 2, writes: 1, metaWords };
}

/**
 * How the register-blocked kernel reads its operands: `rows` output rows per thread (times 4
 * columns); `vecA` and `vecB` read A's rows and B's rows as vec4s, which needs them contiguous and
 * 16-byte aligned (checked by the caller).
 */
export interface RegisterPlan {
  rows: number;
  vecA: boolean;
  vecB: boolean;
}

/** Where a matmul operand's elements are, as the register kernel's planning needs it. */
export interface Operand {
  offset: number;
  rowStride: number;
  colStride: number;
  batchStrides: readonly number[];
  /** Size of the buffer window the operand is bound through. */
  bindingBytes: number;
}

/**
 * vec4 reads need an operand's rows contiguous and every row start a multiple of 4 elements
 * (pool sizes are multiples of 16 bytes; checked anyway, since a vec4 past the binding's end
 * would read clamped garbage). Rows per thread: 32 once M fills a workgroup's 128 rows; fewer
 * for short matrices (8 for an MLP's batch of 64), so that threads do not compute clamped copies
 * of the last row.
 */
export function registerPlan(a: Operand, b: Operand, M: number, N: number, K: number): RegisterPlan {
  const rowsAligned = (o: Operand, width: number): boolean =>
    o.colStride === 1 && width % 4 === 0 && o.bindingBytes % 16 === 0 &&
    [o.offset, o.rowStride, ...o.batchStrides].every((x) => x % 4 === 0);
  const rows = M >= REGISTER_WY * 32 ? 32 : M >= REGISTER_WY * 8 ? 8 : 2;
  return { rows, vecA: rowsAligned(a, K), vecB: rowsAligned(b, N) };
}

/** Threads of the register-blocked kernel: 16 across (64 columns) by 4 down (4·rows rows). */
export const REGISTER_WX = 16;
export const REGISTER_WY = 4;

/**
 * Register-blocked matmul for software adapters (llvmpipe, SwiftShader, WARP), where a workgroup
 * runs on one CPU thread: shared memory is ordinary memory, and every barrier switches between the
 * workgroup's invocations, so the tiled kernel's staging costs more than it saves. Here each thread
 * keeps a rows×4 block of the output in registers and reads A and B straight from storage (the CPU
 * caches do the tiling), four k at a time. Threads past the matrix edge read its last row or column
 * and write nothing, so the inner loop has no tests. Measured on llvmpipe (2 cores, matmul 512):
 * 1.9 GFLOP/s with 32 rows and vec4 reads, against 0.77 for the tiled kernel.
 */
export function matmulRegisterKernel(plan: RegisterPlan, nb: number): KernelSource {
  const { rows: R, vecA, vecB } = plan;
  const metaWords = matmulMetaWords(nb);
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  const bAt = (kb: string): string =>
    vecB ? `B4[u32(bk + ${kb}) / 4u]` : `vec4<f32>(${range(4).map((j) => `B[u32(bc${j} + ${kb})]`).join(", ")})`;
  const aAt = (i: number): string =>
    vecA ? `A4[u32(ar${i} + ka) / 4u]` : `vec4<f32>(${range(4).map((kk) => `A[u32(ar${i} + ka${kk === 0 ? "" : ` + ${kk} * aCol`})]`).join(", ")})`;
  const step = [
    ...range(4).map((kk) => `let b${kk} = ${bAt(kk === 0 ? "kb" : `kb + ${kk} * bRow`)};`),
    ...range(R).map((i) => `let a${i} = ${aAt(i)};`),
    ...range(R).map((i) => `acc${i} = acc${i} + a${i}.x * b0 + a${i}.y * b1 + a${i}.z * b2 + a${i}.w * b3;`),
  ];
  // vecA requires K % 4 == 0, so only the scalar-A kernel has a remainder loop.
  const tail = vecA ? [] : [`let b0 = ${bAt("kb")};`, ...range(R).map((i) => `acc${i} = acc${i} + A[u32(ar${i} + ka)] * b0;`)];
  const rowsDecl = range(R).flatMap((i) => [
    `let ar${i} = aBase + i32(min(row + ${i}u, M - 1u)) * aRow;`,
    `var acc${i} = vec4<f32>(0.0);`,
  ]);
  const colsDecl = vecB
    ? ["let bk = bBase + i32(min(col, N - 4u));"]
    : range(4).map((j) => `let bc${j} = bBase + i32(min(col + ${j}u, N - 1u)) * bCol;`);
  const writes = range(R).map((i) =>
    vecB
      ? `if (row + ${i}u < M) { dst4[(outBase + (row + ${i}u) * N + col) / 4u] = acc${i}; }`
      : `if (row + ${i}u < M) { write4(outBase + (row + ${i}u) * N, col, N, acc${i}); }`,
  );
  const code = `
@group(0) @binding(0) var<storage, read> ${vecA ? "A4: array<vec4<f32>>" : "A: array<f32>"};
@group(0) @binding(1) var<storage, read> ${vecB ? "B4: array<vec4<f32>>" : "B: array<f32>"};
@group(0) @binding(2) var<storage, read_write> ${vecB ? "dst4: array<vec4<f32>>" : "dst: array<f32>"};
${prelude(metaWords, 3)}
${vecB ? "" : WRITE4}
@compute @workgroup_size(${REGISTER_WX}, ${REGISTER_WY})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  ${readParams(nb)}
  let row = wid.y * ${REGISTER_WY * R}u + lid3.y * ${R}u;
  let col = wid.x * ${REGISTER_WX * 4}u + lid3.x * 4u;
  if (col >= N) { return; }
  ${rowsDecl.join("\n  ")}
  ${colsDecl.join("\n  ")}
  var ka = 0;
  var kb = 0;
  let K4 = K - K % 4u;
  for (var k = 0u; k < K4; k = k + 4u) {
    ${step.join("\n    ")}
    ka = ka + 4 * aCol;
    kb = kb + 4 * bRow;
  }
  for (var k = K4; k < K; k = k + 1u) {
    ${tail.join("\n    ")}
    ka = ka + aCol;
    kb = kb + bRow;
  }
  let outBase = batch * M * N;
  ${writes.join("\n  ")}
}`;
  return { code, reads: 2, writes: 1, metaWords };
}
