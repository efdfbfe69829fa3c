import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { setBackend } from "../lib/index.js";
import { webgpuBackend } from "../lib/backend/registry.js";
import { gradlabWebGpuPeer } from "./peers/gradlab-webgpu.js";
import type { GpuCase, GpuPeer } from "./peers/gpu-peer.js";
import { jaxjsWebGpuPeer } from "./peers/jaxjs-webgpu.js";
import { matmulRow, normals } from "./peers/reference.js";
import { tfjsWebGpuPeer } from "./peers/tfjs-webgpu.js";
import { provideNavigatorGpu } from "./peers/webgpu-navigator.js";

/**
 * gradlab, TF.js WebGPU and jax-js WebGPU side by side in one process, each on its own device
 * from the same kind of adapter (on a machine without a GPU: Dawn's OpenGL ES on Mesa's llvmpipe).
 * Workloads run on every system in turn, ROUNDS times; each system's best round counts, since
 * other users of a shared machine only ever slow a round down. Every result is checked first.
 */
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
const CHAIN_OPS = 2000;

export interface GpuRow {
  workload: string;
  unit: string;
  /** Per system: the metric (GFLOP/s, or wall µs per op including the driver's execution). */
  values: Record<string, number>;
  /** Per system, chains only: µs per op outside queue.submit (recording, bookkeeping, readback). */
  hostUs?: Record<string, number>;
  /** The first gradlab system's value ÷ each peer's. */
  ratios: Record<string, number>;
  target?: string;
  met?: boolean;
}

interface GpuWorkload {
  name: string;
  unit: string;
  systems: readonly string[];
  samples: number;
  prepare(p: GpuPeer): GpuCase<Float32Array>;
  check(result: Float32Array, system: string): void;
  /** From one sample's wall time to the metric. */
  metric(wallMs: number): number;
  /** From one sample's wall time and the time inside queue.submit to µs per op outside it. */
  hostUs?(wallMs: number, submitMs: number): number;
  higherIsBetter: boolean;
  /** gradlab's system name and the peer it is held against, and the ratio it must reach. */
  target?: { gradlab: string; peer: string; ratio: number; on: "value" | "host" };
}

function matmulWorkload(n: number, target: GpuWorkload["target"]): GpuWorkload {
  const a = normals(10 + n, n * n);
  const b = normals(20 + n, n * n);
  const rows = [0, n >> 1, n - 1];
  const want = rows.map((i) => matmulRow(a, b, n, i));
  return {
    name: `matmul ${n}×${n}`, unit: "GFLOP/s", systems: ["gradlab", "TF.js WebGPU", "jax-js WebGPU"], samples: n >= 1024 ? 1 : 3,
    prepare: (p) => p.matmul(n, a, b),
    check(c, system) {
      rows.forEach((i, k) => {
        for (let j = 0; j < n; j++) {
          const got = c[i * n + j]!;
          const w = want[k]![j]!;
          if (!(Math.abs(got - w) <= 2e-4 * Math.max(1, Math.abs(w)))) throw new Error(`${system} matmul ${n} [${i},${j}]: ${got}, expected ${w}`);
        }
      });
    },
    metric: (ms) => (2 * n ** 3) / ms / 1e6,
    higherIsBetter: true,
    target,
  };
}

function chainWorkload(name: string, systems: readonly string[], target: GpuWorkload["target"]): GpuWorkload {
  const a = new Float32Array([1, 2, 3, 4]);
  const b = new Float32Array([0.5, 0.25, 0.125, 1]);
  const want = Array.from(a, (v, i) => v + CHAIN_OPS * b[i]!);
  return {
    name, unit: "µs/op", systems, samples: 9,
    prepare: (p) => p.addChain(CHAIN_OPS, a, b),
    check(x, system) {
      x.forEach((v, i) => {
        if (Math.abs(v - want[i]!) > 1e-3 * want[i]!) throw new Error(`${system} add chain [${i}]: ${v}, expected ${want[i]}`);
      });
    },
    metric: (ms) => (ms * 1000) / CHAIN_OPS,
    hostUs: (ms, submitMs) => ((ms - submitMs) * 1000) / CHAIN_OPS,
    higherIsBetter: false,
    target,
  };
}

function gpuWorkloads(): GpuWorkload[] {
  return [
    matmulWorkload(512, { gradlab: "gradlab", peer: "jax-js WebGPU", ratio: 1, on: "value" }),
    matmulWorkload(1024, { gradlab: "gradlab", peer: "jax-js WebGPU", ratio: 1, on: "value" }),
    chainWorkload(`2×2 add chain, ${CHAIN_OPS} ops, each library's default`, ["gradlab", "TF.js WebGPU", "jax-js WebGPU"],
      { gradlab: "gradlab", peer: "TF.js WebGPU", ratio: 1, on: "value" }),
    chainWorkload(`2×2 add chain, every op on the GPU`, ["gradlab, GPU, one kernel per op", "gradlab, GPU, fused", "TF.js WebGPU, GPU only"],
      { gradlab: "gradlab, GPU, one kernel per op", peer: "TF.js WebGPU, GPU only", ratio: 1, on: "host" }),
  ];
}

async function sample(p: GpuPeer, c: GpuCase<Float32Array>): Promise<{ wallMs: number; submitMs: number }> {
  const s0 = p.submitMs();
  const t0 = performance.now();
  await c.run();
  return { wallMs: performance.now() - t0, submitMs: p.submitMs() - s0 };
}

/** The WebGPU comparison; an empty list (and a note) when this machine has no adapter. */
export async function compareWebGpu(log: (line: string) => void = console.log): Promise<GpuRow[]> {
  try {
    await setBackend("webgpu");
  } catch (e) {
    log(`webgpu comparison: skipped (${e instanceof Error ? e.message : String(e)})`);
    return [];
  }
  const description = webgpuBackend()!.description;
  provideNavigatorGpu(/compatibility mode/.test(description));
  const peers = [
    gradlabWebGpuPeer("default"), gradlabWebGpuPeer("GPU, fused"), gradlabWebGpuPeer("GPU, one kernel per op"),
    tfjsWebGpuPeer(true), tfjsWebGpuPeer(false), jaxjsWebGpuPeer(),
  ];
  log(`\nWebGPU, every system on its own device of this adapter: ${description}`);
  const rows: GpuRow[] = [];
  try {
    const only = process.env["BENCH_ONLY"];
    for (const w of gpuWorkloads().filter((x) => !only || x.name.includes(only))) {
      const best: Record<string, { value: number; host?: number }> = {};
      for (let round = 0; round < ROUNDS; round++) {
        for (const p of peers.filter((q) => w.systems.includes(q.name))) {
          await p.activate();
          const c = w.prepare(p);
          if (round === 0) await c.run(); // compiles the library's kernels
          const samples: { wallMs: number; submitMs: number }[] = [];
          for (let s = 0; s < w.samples; s++) samples.push(await sample(p, c));
          w.check(c.read(), p.name);
          c.dispose?.();
          samples.sort((x, y) => x.wallMs - y.wallMs);
          const mid = samples[Math.floor(samples.length / 2)]!;
          const value = w.metric(mid.wallMs);
          const host = w.hostUs?.(mid.wallMs, mid.submitMs);
          const prev = best[p.name];
          if (!prev || (w.higherIsBetter ? value > prev.value : value < prev.value)) best[p.name] = { value, host };
        }
      }
      rows.push(toRow(w, best));
      printRow(rows[rows.length - 1]!, log);
    }
  } finally {
    webgpuBackend()!.fusion = true;
    webgpuBackend()!.hostOps = true;
    await setBackend("cpu");
  }
  mkdirSync("bench-results", { recursive: true });
  const file = "bench-results/webgpu.json";
  writeFileSync(file + ".tmp", JSON.stringify({ date: new Date().toISOString(), node: process.version, adapter: description, rounds: ROUNDS, rows }, null, 2));
  renameSync(file + ".tmp", file);
  log(`ratios: gradlab ÷ peer (for µs/op lower is better). Chains: wall time per op until the result is read;`);
  log(`"host" leaves out the time inside queue.submit, where a software adapter runs the kernels. Best of ${ROUNDS} rounds. wrote ${file}`);
  return rows;
}

function toRow(w: GpuWorkload, best: Record<string, { value: number; host?: number }>): GpuRow {
  const values: Record<string, number> = {};
  const hostUs: Record<string, number> = {};
  for (const [name, b] of Object.entries(best)) {
    values[name] = b.value;
    if (b.host !== undefined) hostUs[name] = b.host;
  }
  const row: GpuRow = { workload: w.name, unit: w.unit, values, ratios: {}, ...(w.hostUs ? { hostUs } : {}) };
  const mine = w.systems[0]!;
  for (const name of w.systems.filter((n) => !n.startsWith("gradlab"))) row.ratios[name] = values[mine]! / values[name]!;
  if (w.target) {
    const t = w.target;
    const table = t.on === "host" ? hostUs : values;
    const r = table[t.gradlab]! / table[t.peer]!;
    row.target = `${w.higherIsBetter ? "≥" : "≤"} ${t.ratio}× ${t.peer}${t.on === "host" ? " (host µs/op)" : ""}`;
    row.met = w.higherIsBetter ? r >= t.ratio : r <= t.ratio;
  }
  return row;
}

function printRow(r: GpuRow, log: (line: string) => void): void {
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  log(`${r.workload} (${r.unit})${r.target ? `, target ${r.target}: ${r.met ? "met" : "NOT met"}` : ""}`);
  for (const [name, v] of Object.entries(r.values)) {
    const host = r.hostUs?.[name] !== undefined ? `   host ${fmt(r.hostUs[name]!)} µs/op` : "";
    const ratio = r.ratios[name] !== undefined ? `   gradlab ÷ this: ${fmt(r.ratios[name]!)}×` : "";
    log(`  ${name.padEnd(32)} ${fmt(v).padStart(8)}${host}${ratio}`);
  }
}

if (process.argv[1]?.endsWith("webgpu-compare.js")) {
  await compareWebGpu();
  process.exit(0);
}
