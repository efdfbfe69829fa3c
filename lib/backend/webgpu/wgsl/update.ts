import type { UpdateExpr, UpdatePlan } from "../../update.js";
import type { KernelSource } from "../kernel.js";
import { prelude, WG } from "./prelude.js";

/** WGSL of a plan expression over per-element lets t0…, x0…, l0… and constants c0…. */
function wgsl(e: UpdateExpr): string {
  switch (e.op) {
    case "target": return `t${e.i}`;
    case "input": return `x${e.i}`;
    case "const": return `c${e.i}`;
    case "let": return `l${e.i}`;
    case "add": return `(${wgsl(e.a)} + ${wgsl(e.b)})`;
    case "sub": return `(${wgsl(e.a)} - ${wgsl(e.b)})`;
    case "mul": return `(${wgsl(e.a)} * ${wgsl(e.b)})`;
    case "div": return `(${wgsl(e.a)} / ${wgsl(e.b)})`;
    case "sqrt": return `sqrt(${wgsl(e.a)})`;
  }
}

/** Parameter words: n, each target's and input's element offset, then the constants' bits. */
export function updateMeta(n: number, offsets: readonly number[], constBits: readonly number[]): number[] {
  return [n, ...offsets, ...constBits];
}

/**
 * One thread per element: reads every target and input of a float32 update plan and writes the
 * new values of the targets listed in `writes` to fresh buffers (one binding each). Constants
 * come in the parameter block, so a changing learning rate reuses the pipeline.
 */
export function updateKernel(plan: UpdatePlan, writes: readonly number[]): KernelSource {
  const reads = plan.targets + plan.inputs;
  const decls: string[] = [];
  for (let k = 0; k < plan.targets; k++) decls.push(`@group(0) @binding(${k}) var<storage, read> tb${k}: array<f32>;`);
  for (let k = 0; k < plan.inputs; k++) decls.push(`@group(0) @binding(${plan.targets + k}) var<storage, read> xb${k}: array<f32>;`);
  writes.forEach((r, k) => decls.push(`@group(0) @binding(${reads + k}) var<storage, read_write> ob${r}: array<f32>;`));
  const metaWords = 1 + reads + plan.consts.length;
  const body: string[] = [];
  for (let k = 0; k < plan.targets; k++) body.push(`let t${k} = tb${k}[u32(mi(${1 + k}u)) + i];`);
  for (let k = 0; k < plan.inputs; k++) body.push(`let x${k} = xb${k}[u32(mi(${1 + plan.targets + k}u)) + i];`);
  plan.consts.forEach((_, k) => body.push(`let c${k} = mf(${1 + reads + k}u);`));
  plan.lets.forEach((e, k) => body.push(`let l${k} = ${wgsl(e)};`));
  for (const r of writes) body.push(`ob${r}[i] = ${wgsl(plan.results[r]!)};`);
  const code = `
${decls.join("\n")}
${prelude(metaWords, reads + writes.length)}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = linear(wid, nwg, lid, ${WG}u);
  if (i >= mu(0u)) { return; }
  ${body.join("\n  ")}
}`;
  return { code, reads, writes: writes.length, metaWords };
}
