import type { ReduceOp } from "../../backend.js";
import type { KernelSource } from "../kernel.js";
import { coords } from "./elementwise.js";
import { MATH_HELPERS } from "./exprs.js";
import { convert, prelude, WG, type WType } from "./prelude.js";

/** Partial results per chunk: each thread folds at most CHUNK / WG elements before the tree. */
export const CHUNK = 1024;

function init(op: ReduceOp, t: WType): string {
  if (op === "sum") return t === "f32" ? "0.0" : t === "i32" ? "0" : "0u";
  if (op === "prod") return t === "f32" ? "1.0" : t === "i32" ? "1" : "1u";
  if (op === "max") return t === "f32" ? "fbits(0xff800000u)" : t === "i32" ? "(-2147483647 - 1)" : "0u";
  return t === "f32" ? "fbits(0x7f800000u)" : t === "i32" ? "2147483647" : "4294967295u";
}

function combine(op: ReduceOp, t: WType, acc: string, v: string): string {
  if (op === "sum") return `${acc} + ${v}`;
  if (op === "prod") return `${acc} * ${v}`;
  if (t === "f32") return `${op === "max" ? "maxf_" : "minf_"}(${acc}, ${v})`;
  return `${op}(${acc}, ${v})`;
}

/**
 * Parameters: [outputs, R (reduced count), chunk, chunks, kept shape, kept strides, reduced shape,
 * reduced strides, offset]. Reduced axes are merged first, so usually there is one.
 */
export function reduceMetaWords(nk: number, nr: number): number {
  return 5 + 2 * nk + 2 * nr;
}

function offsets(nk: number, nr: number): string {
  const ks = 4, kst = 4 + nk, rs = 4 + 2 * nk, rst = 4 + 2 * nk + nr, off = 4 + 2 * nk + 2 * nr;
  const keptTerms = Array.from({ length: nk }, (_, d) => `i32(c${d}) * mi(${kst + d}u)`);
  const redLines: string[] = [];
  if (nr === 1) redLines.push(`return base + i32(r) * mi(${rst}u);`);
  else {
    redLines.push("var q = r; var o = base;");
    for (let d = nr - 1; d > 0; d--) redLines.push(`o = o + i32(q % mu(${rs + d}u)) * mi(${rst + d}u); q = q / mu(${rs + d}u);`);
    redLines.push(`return o + i32(q) * mi(${rst}u);`);
  }
  return `
fn keptBase(o: u32) -> i32 {
  ${coords(nk, ks, "o")}
  return mi(${off}u)${keptTerms.map((t) => " + " + t).join("")};
}
fn redOff(base: i32, r: u32) -> i32 {
  ${nr === 0 ? "return base;" : redLines.join("\n  ")}
}`;
}

/** What both reduce kernels declare: input and output, parameters, helpers, offset functions. */
function reduceHeader(input: WType, acc: WType, metaWords: number, nk: number, nr: number): string {
  return `@group(0) @binding(0) var<storage, read> src: array<${input}>;
@group(0) @binding(1) var<storage, read_write> dst: array<${acc}>;
${prelude(metaWords, 2)}
${MATH_HELPERS}
${offsets(nk, nr)}`;
}

/**
 * One thread per output folds its whole reduced range: right when ranges are short. `acc` is the
 * WGSL type of the result; inputs are converted on load (a bool sum counts in i32).
 */
export function reduceSerialKernel(op: ReduceOp, input: WType, acc: WType, nk: number, nr: number): KernelSource {
  const metaWords = reduceMetaWords(nk, nr);
  const code = `
${reduceHeader(input, acc, metaWords, nk, nr)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = linear(wid, nwg, lid, ${WG}u);
  if (o >= mu(0u)) { return; }
  let base = keptBase(o);
  var acc: ${acc} = ${init(op, acc)};
  let n = mu(1u);
  for (var r = 0u; r < n; r = r + 1u) {
    let v = ${convert("src[u32(redOff(base, r))]", input, acc)};
    acc = ${combine(op, acc, "acc", "v")};
  }
  dst[o] = acc;
}`;
  return { code, reads: 1, writes: 1, metaWords };
}

/**
 * A workgroup per (output, chunk): threads fold strided elements of the chunk, then combine in a
 * shared-memory tree. Pairwise combination keeps float32 sums of millions of values accurate;
 * chunks give long reductions many workgroups, and a second pass combines the chunk results.
 */
export function reduceTreeKernel(op: ReduceOp, input: WType, acc: WType, nk: number, nr: number): KernelSource {
  const metaWords = reduceMetaWords(nk, nr);
  const code = `
${reduceHeader(input, acc, metaWords, nk, nr)}
var<workgroup> sh: array<${acc}, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let w = wid.y * nwg.x + wid.x;
  let chunks = mu(3u);
  let total = mu(0u) * chunks;
  let o = w / chunks;
  let g = w % chunks;
  var acc: ${acc} = ${init(op, acc)};
  if (w < total) {
    let base = keptBase(o);
    let start = g * mu(2u);
    let end = min(mu(1u), start + mu(2u));
    for (var r = start + lid; r < end; r = r + ${WG}u) {
      let v = ${convert("src[u32(redOff(base, r))]", input, acc)};
      acc = ${combine(op, acc, "acc", "v")};
    }
  }
  sh[lid] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { sh[lid] = ${combine(op, acc, "sh[lid]", "sh[lid + s]")}; }
    workgroupBarrier();
  }
  if (lid == 0u && w < total) { dst[w] = sh[0]; }
}`;
  return { code, reads: 1, writes: 1, metaWords };
}

/** Parameters: [outputs, length, stride, kept shape, kept strides, offset]. */
export function argMetaWords(nk: number): number {
  return 4 + 2 * nk;
}

function argHelpers(op: "argmax" | "argmin", t: WType, nk: number): string {
  const cmp = op === "argmax" ? ">" : "<";
  const better = t === "f32" ? `(v ${cmp} best) || (isnan_(v) && !isnan_(best))` : `v ${cmp} best`;
  const keptTerms = Array.from({ length: nk }, (_, d) => ` + i32(c${d}) * mi(${3 + nk + d}u)`);
  return `
fn better(v: ${t}, best: ${t}) -> bool { return ${better}; }
fn keptBase(o: u32) -> i32 {
  ${coords(nk, 3, "o")}
  return mi(${3 + 2 * nk}u)${keptTerms.join("")};
}`;
}

/** Index of the first extreme along one axis (NaN counts as the extreme, as on the CPU). */
export function argSerialKernel(op: "argmax" | "argmin", t: WType, nk: number): KernelSource {
  const metaWords = argMetaWords(nk);
  const code = `
@group(0) @binding(0) var<storage, read> src: array<${t}>;
@group(0) @binding(1) var<storage, read_write> dst: array<i32>;
${prelude(metaWords, 2)}
${argHelpers(op, t, nk)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = linear(wid, nwg, lid, ${WG}u);
  if (o >= mu(0u)) { return; }
  let base = keptBase(o);
  let stride = mi(2u);
  var best = src[u32(base)];
  var bi = 0u;
  let n = mu(1u);
  for (var j = 1u; j < n; j = j + 1u) {
    let v = src[u32(base + i32(j) * stride)];
    if (better(v, best)) { best = v; bi = j; }
  }
  dst[o] = i32(bi);
}`;
  return { code, reads: 1, writes: 1, metaWords };
}

/** A workgroup per output for long axes: (value, index) pairs meet in a tree, ties to the lower index. */
export function argTreeKernel(op: "argmax" | "argmin", t: WType, nk: number): KernelSource {
  const metaWords = argMetaWords(nk);
  const code = `
@group(0) @binding(0) var<storage, read> src: array<${t}>;
@group(0) @binding(1) var<storage, read_write> dst: array<i32>;
${prelude(metaWords, 2)}
${argHelpers(op, t, nk)}
var<workgroup> shv: array<${t}, ${WG}>;
var<workgroup> shi: array<u32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = wid.y * nwg.x + wid.x;
  let valid = o < mu(0u);
  let n = mu(1u);
  var best = src[0];
  var bi = 0xffffffffu;
  if (valid) {
    let base = keptBase(o);
    let stride = mi(2u);
    for (var j = lid; j < n; j = j + ${WG}u) {
      let v = src[u32(base + i32(j) * stride)];
      if (bi == 0xffffffffu || better(v, best)) { best = v; bi = j; }
    }
  }
  shv[lid] = best;
  shi[lid] = bi;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      let v = shv[lid + s];
      let j = shi[lid + s];
      let cur = shv[lid];
      let ci = shi[lid];
      let take = j != 0xffffffffu && (ci == 0xffffffffu || better(v, cur) || (!better(cur, v) && j < ci));
      if (take) { shv[lid] = v; shi[lid] = j; }
    }
    workgroupBarrier();
  }
  if (lid == 0u && valid) { dst[o] = i32(shi[0]); }
}`;
  return { code, reads: 1, writes: 1, metaWords };
}
