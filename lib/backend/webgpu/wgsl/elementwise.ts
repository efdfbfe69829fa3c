import type { KernelSource } from "../kernel.js";
import type { Access } from "../layout.js";
import type { Expr } from "./exprs.js";
import { MATH_HELPERS } from "./exprs.js";
import { convert, F2I, prelude, WG, type WType } from "./prelude.js";

export interface MapInput {
  type: WType;
  access: Access;
  /** The name the expression uses for this input's value. */
  name: string;
}

/**
 * The parameter block of a map kernel: n, the shape, then per input its offset and strides.
 * Shapes and strides are parameters, not constants, so one pipeline serves every shape with the
 * same number of axes and access pattern.
 */
export function mapMeta(n: number, shape: readonly number[], inputs: readonly { offset: number; strides: readonly number[] }[]): number[] {
  const meta = [n, ...shape];
  for (const inp of inputs) meta.push(inp.offset, ...inp.strides);
  return meta;
}

export function mapMetaWords(nd: number, k: number): number {
  return 1 + nd + k * (1 + nd);
}

/** Index expressions into each operand: in step with the output, fixed, or by strides. */
export function operandIndex(access: Access, base: number, nd: number): string {
  if (access === "c") return `u32(mi(${base}u)) + i`;
  if (access === "s") return `u32(mi(${base}u))`;
  const terms = [`mi(${base}u)`];
  for (let d = 0; d < nd; d++) terms.push(`i32(c${d}) * mi(${base + 1 + d}u)`);
  return `u32(${terms.join(" + ")})`;
}

/** Splits the linear index `i` into coordinates c0..c{nd-1}; the shape sits at words first..first+nd-1. */
export function coords(nd: number, first: number, index = "i"): string {
  if (nd === 0) return "";
  const lines = [`var r = ${index};`];
  for (let d = nd - 1; d > 0; d--) lines.push(`let c${d} = r % mu(${first + d}u); r = r / mu(${first + d}u);`);
  lines.push("let c0 = r;");
  return lines.join("\n  ");
}

/** One thread per output element: load each input, evaluate `expr`, store converted to `out`. */
export function mapKernel(inputs: readonly MapInput[], nd: number, expr: Expr, out: WType): KernelSource {
  const k = inputs.length;
  const metaWords = mapMetaWords(nd, k);
  const decls = inputs.map((inp, j) => `@group(0) @binding(${j}) var<storage, read> in${j}: array<${inp.type}>;`);
  decls.push(`@group(0) @binding(${k}) var<storage, read_write> dst: array<${out}>;`);
  const loads = inputs.map((inp, j) => `let ${inp.name} = in${j}[${operandIndex(inp.access, 1 + nd + j * (1 + nd), nd)}];`);
  const needCoords = inputs.some((inp) => inp.access === "g");
  const code = `
${decls.join("\n")}
${prelude(metaWords, k + 1)}
${F2I}
${MATH_HELPERS}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear(wid, nwg, lid, ${WG}u);
  if (i >= mu(0u)) { return; }
  ${needCoords ? coords(nd, 1) : ""}
  ${loads.join("\n  ")}
  dst[i] = ${convert(expr.code, expr.type, out)};
}`;
  return { code, reads: k, writes: 1, metaWords };
}

/** out[i] = a fixed bit pattern (zeros, ones, any constant of any dtype). */
export function fillKernel(): KernelSource {
  const code = `
@group(0) @binding(0) var<storage, read_write> dst: array<u32>;
${prelude(2, 1)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear(wid, nwg, lid, ${WG}u);
  if (i >= mu(0u)) { return; }
  dst[i] = mu(1u);
}`;
  return { code, reads: 0, writes: 1, metaWords: 2 };
}
