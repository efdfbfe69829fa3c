import type { KernelSource } from "../kernel.js";
import type { Access } from "../layout.js";
import { coords, mapMetaWords, operandIndex } from "./elementwise.js";
import { prelude, WG, type WType } from "./prelude.js";

/** What a kernel records in the flag buffer when an index is out of range (read back with the next data()). */
export const FLAG_GATHER = 1;
export const FLAG_SCATTER = 2;

const HEADER = `@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32`;

function raise(code: number): string {
  return `atomicStore(&flags[0], ${code}u); atomicStore(&flags[1], bitcast<u32>(j)); atomicStore(&flags[2], u32(len));`;
}

/** Parameters: [n, idx shape, idx offset, idx strides, x offset, x strides, axis length]. */
export function gatherMetaWords(nd: number): number {
  return 4 + 3 * nd;
}

/**
 * out[i] = x[i with i[axis] replaced by idx[i]]. Values are copied as bits, so one pipeline serves
 * every dtype. An index out of range cannot throw on the GPU: it writes 0 and raises a flag.
 */
export function gatherKernel(nd: number, axis: number): KernelSource {
  const metaWords = gatherMetaWords(nd);
  const io = 1 + nd, xo = 2 + 2 * nd, lenAt = 3 + 3 * nd;
  const idxTerms = Array.from({ length: nd }, (_, d) => ` + i32(c${d}) * mi(${io + 1 + d}u)`).join("");
  const xTerms = Array.from({ length: nd }, (_, d) => (d === axis ? ` + j * mi(${xo + 1 + d}u)` : ` + i32(c${d}) * mi(${xo + 1 + d}u)`)).join("");
  const code = `
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<storage, read_write> flags: array<atomic<u32>>;
${prelude(metaWords, 4)}
@compute @workgroup_size(${WG})
fn main(${HEADER}) {
  let i = linear(wid, nwg, lid, ${WG}u);
  if (i >= mu(0u)) { return; }
  ${coords(nd, 1)}
  let j = idx[u32(mi(${io}u)${idxTerms})];
  let len = mi(${lenAt}u);
  if (j < 0 || j >= len) { ${raise(FLAG_GATHER)} dst[i] = 0u; return; }
  dst[i] = x[u32(mi(${xo}u)${xTerms})];
}`;
  return { code, reads: 2, writes: 2, metaWords };
}

/** Parameters: [n, out shape, idx shape, idx offset, idx strides, src offset, src strides, axis length]. */
export function scatterMetaWords(nd: number): number {
  return 4 + 4 * nd;
}

/**
 * zeros(outShape), then out[i with i[axis] = idx[i]] += src[i], computed per output element by
 * scanning the index column that can hit it: WGSL has no float atomics, and this order is
 * deterministic (the same sums on every run).
 */
export function scatterAddKernel(nd: number, axis: number, t: WType): KernelSource {
  const metaWords = scatterMetaWords(nd);
  const is = 1 + nd, io = 1 + 2 * nd, so = 2 + 3 * nd, lenAt = 3 + 4 * nd;
  const zero = t === "f32" ? "0.0" : t === "i32" ? "0" : "0u";
  const guards: string[] = [];
  let ib = `mi(${io}u)`;
  let sb = `mi(${so}u)`;
  for (let d = 0; d < nd; d++) {
    if (d === axis) continue;
    guards.push(`c${d} >= mu(${is + d}u)`);
    ib += ` + i32(c${d}) * mi(${io + 1 + d}u)`;
    sb += ` + i32(c${d}) * mi(${so + 1 + d}u)`;
  }
  const code = `
@group(0) @binding(0) var<storage, read> src: array<${t}>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<${t}>;
@group(0) @binding(3) var<storage, read_write> flags: array<atomic<u32>>;
${prelude(metaWords, 4)}
@compute @workgroup_size(${WG})
fn main(${HEADER}) {
  let o = linear(wid, nwg, lid, ${WG}u);
  if (o >= mu(0u)) { return; }
  ${coords(nd, 1, "o")}
  ${guards.length ? `if (${guards.join(" || ")}) { dst[o] = ${zero}; return; }` : ""}
  let ib = ${ib};
  let sb = ${sb};
  let want = i32(c${axis});
  let len = mi(${lenAt}u);
  let L = mu(${is + axis}u);
  var acc: ${t} = ${zero};
  for (var jj = 0u; jj < L; jj = jj + 1u) {
    let j = idx[u32(ib + i32(jj) * mi(${io + 1 + axis}u))];
    if (j == want) { acc = acc + src[u32(sb + i32(jj) * mi(${so + 1 + axis}u))]; }
    else if (j < 0 || j >= len) { ${raise(FLAG_SCATTER)} }
  }
  dst[o] = acc;
}`;
  return { code, reads: 2, writes: 2, metaWords };
}

/**
 * Writes every element of a view into a strided window of the output (the rest of the output is
 * left alone): concat writes its parts one after another, embed writes into zeros.
 * Parameters are a map kernel's, with the output as the second operand.
 */
export function placeKernel(nd: number, src: Access, target: Access): KernelSource {
  const metaWords = mapMetaWords(nd, 2);
  const needCoords = src === "g" || target === "g";
  const code = `
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
${prelude(metaWords, 2)}
@compute @workgroup_size(${WG})
fn main(${HEADER}) {
  let i = linear(wid, nwg, lid, ${WG}u);
  if (i >= mu(0u)) { return; }
  ${needCoords ? coords(nd, 1) : ""}
  dst[${operandIndex(target, 2 + 2 * nd, nd)}] = x[${operandIndex(src, 1 + nd, nd)}];
}`;
  return { code, reads: 1, writes: 1, metaWords };
}
