import type { DType } from "../../../tensor/dtype.js";
import { GradlabError } from "../../../tensor/errors.js";

/** WGSL scalar types by dtype: bool lives in a u32 (0 or 1), since WGSL storage has no bool. */
export type WType = "f32" | "i32" | "u32";

export function wtype(d: DType): WType {
  switch (d) {
    case "float32": return "f32";
    case "int32": return "i32";
    case "bool": return "u32";
    case "float64": throw new GradlabError("webgpu: float64 exists on the CPU backend only; use float32 or setBackend('cpu')");
  }
}

/** Workgroup size of the one-thread-per-element kernels. */
export const WG = 64;
/** Workgroups per dispatch dimension is capped at 65535; bigger grids spill into y. */
export const MAX_GROUPS_X = 65535;

export function grid(threads: number, wg = WG): [number, number] {
  const groups = Math.ceil(threads / wg);
  if (groups <= MAX_GROUPS_X) return [groups, 1];
  return [MAX_GROUPS_X, Math.ceil(groups / MAX_GROUPS_X)];
}

/**
 * Shared helpers. Inf and NaN cannot be written as WGSL constants (constant folding rejects
 * them), so they are made at run time from their bit patterns by a function call; NaN tests use
 * the bits too, because compilers may assume `x != x` is false.
 */
export function prelude(metaWords: number, binding: number): string {
  const vecs = Math.max(1, Math.ceil(metaWords / 4));
  return `
struct Meta { v: array<vec4<u32>, ${vecs}> }
@group(0) @binding(${binding}) var<uniform> prm: Meta;
fn mu(i: u32) -> u32 { return prm.v[i >> 2u][i & 3u]; }
fn mi(i: u32) -> i32 { return bitcast<i32>(prm.v[i >> 2u][i & 3u]); }
fn mf(i: u32) -> f32 { return bitcast<f32>(prm.v[i >> 2u][i & 3u]); }
fn fbits(b: u32) -> f32 { return bitcast<f32>(b); }
fn isnan_(a: f32) -> bool { return (bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u; }
fn isinf_(a: f32) -> bool { return (bitcast<u32>(a) & 0x7fffffffu) == 0x7f800000u; }
fn nan_() -> f32 { return fbits(0x7fc00000u); }
fn linear(wid: vec3<u32>, nwg: vec3<u32>, lid: u32, wg: u32) -> u32 { return (wid.y * nwg.x + wid.x) * wg + lid; }
`;
}

/** Converts a value of WGSL type `from` to the storage type of `to` (casts like the CPU backend). */
export function convert(expr: string, from: WType, to: WType): string {
  if (from === to) return expr;
  if (to === "u32") return from === "f32" ? `select(0u, 1u, (${expr}) != 0.0)` : `select(0u, 1u, (${expr}) != 0)`;
  if (to === "i32") return from === "f32" ? `f2i(${expr})` : `i32(${expr})`;
  return `f32(${expr})`;
}

/** Float to int32 truncates toward zero, NaN becomes 0 (as storing NaN in an Int32Array does). */
export const F2I = `fn f2i(a: f32) -> i32 { if (isnan_(a)) { return 0; } return i32(a); }`;

/** Encodes a number for the uniform block. */
const f32buf = new Float32Array(1);
const u32view = new Uint32Array(f32buf.buffer);
export function f32bits(v: number): number {
  f32buf[0] = v;
  return u32view[0]!;
}

/** The value of a typed scalar as the u32 bit pattern its storage holds. */
export function storageBits(v: number, d: DType): number {
  if (d === "float32") return f32bits(v);
  if (d === "bool") return v !== 0 ? 1 : 0;
  return v | 0;
}
