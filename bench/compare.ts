import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { currentBackend } from "../lib/backend/registry.js";
import { CpuBackend } from "../lib/backend/cpu/cpu-backend.js";
import { gradlabPeer } from "./peers/gradlab.js";
import { copyBandwidth, medianUs, type Timing } from "./peers/measure.js";
import type { Peer, ValueCase } from "./peers/peer.js";
import { chainGrads, matmulRow, mlpInit, mlpLoss, MLP_FLOPS, normals } from "./peers/reference.js";
import { tfjsPeer } from "./peers/tfjs.js";
import { compareWebGpu } from "./webgpu-compare.js";
import { compareUsers } from "./users/compare-users.js";

/**
 * `npm run bench`: the workloads on gradlab, TF.js CPU and TF.js Wasm in one process
 * (then WebGPU: gradlab, TF.js WebGPU and jax-js WebGPU, see webgpu-compare.ts),
 * interleaved (each workload runs on every system before the next starts, ROUNDS times, and
 * each system's best round counts), so a noisy shared machine slows all of them alike. Every result
 * is checked against a float64 reference first. Prints a table, writes bench-results/compare.json.
 */
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
/** Per-core peak of this machine (AVX2 FMA, 8 lanes × 2 ops × 2 units × clock); Wasm SIMD has no FMA. */
const PEAK_GFLOPS = Number(process.env["BENCH_PEAK_GFLOPS"] ?? 107);

type PeerName = "gradlab" | "TF.js CPU" | "TF.js Wasm";

interface Workload {
  readonly name: string;
  readonly unit: string;
  /** From µs per run to the unit. */
  readonly metric: (us: number) => number;
  readonly higherIsBetter: boolean;
  readonly timing: Timing;
  prepare(p: Peer): ValueCase<unknown>;
  /** Throws when the result read back after timing is wrong. */
  check(result: unknown): void;
  /** The target: gradlab's value relative to a peer's. */
  readonly target?: { readonly peer: PeerName; readonly ratio: number };
  /** Share of the machine's peak, where one applies. */
  readonly peak?: (value: number) => number;
  /** Measured in a synchronous loop without yields (see medianUs). */
  readonly noYield?: boolean;
  /** Systems to skip (e.g. variants of gradlab only). */
  readonly only?: readonly string[];
}

const fast: Timing = { reps: 2000, warmup: 2000, budgetMs: 400, minSamples: 9, maxSamples: 200 };
const slow = (budgetMs: number): Timing => ({ reps: 1, warmup: 1, budgetMs, minSamples: 3, maxSamples: 100 });

function expectClose(got: number, want: number, rel: number, what: string): void {
  if (!(Math.abs(got - want) <= rel * Math.max(1, Math.abs(want)))) throw new Error(`${what}: ${got}, expected ${want}`);
}

/** Cores gradlab's matmuls use: the denominator of its share of the machine's peak. */
let cores = 1;

function matmulWorkload(n: number): Workload {
  const a = normals(10 + n, n * n);
  const b = normals(20 + n, n * n);
  const rows = [0, 1, n >> 1, n - 1];
  const want = rows.map((i) => matmulRow(a, b, n, i));
  return {
    name: `matmul ${n}×${n}`, unit: "GFLOP/s", higherIsBetter: true, timing: slow(n >= 1024 ? 2500 : 1500),
    metric: (us) => (2 * n ** 3) / us / 1e3,
    prepare: (p) => p.matmul(n, a, b),
    check(r) {
      const c = r as Float32Array;
      rows.forEach((i, k) => {
        for (let j = 0; j < n; j++) expectClose(c[i * n + j]!, want[k]![j]!, 2e-4, `matmul ${n} [${i},${j}]`);
      });
    },
    target: { peer: "TF.js Wasm", ratio: 1.5 },
    peak: (v) => v / (PEAK_GFLOPS * cores),
  };
}

function reluWorkload(bandwidth: number, noYield: boolean): Workload {
  const x = normals(5, 1_000_000);
  return {
    name: noYield ? "relu, sync loop, no dispose" : "relu on 1e6 floats",
    unit: "GB/s", higherIsBetter: true, timing: { reps: 1, warmup: 20, budgetMs: 800, minSamples: 30, maxSamples: 2000 },
    // One definition for every system: 8 bytes moved per element (4 read + 4 written).
    metric: (us) => 8e6 / us / 1e3,
    prepare: (p) => p.relu(x),
    check(r) {
      const y = r as Float32Array;
      for (let i = 0; i < x.length; i++) if (y[i] !== Math.max(x[i]!, 0)) throw new Error(`relu [${i}]: ${y[i]} for ${x[i]}`);
    },
    target: noYield ? undefined : { peer: "TF.js Wasm", ratio: 0.8 },
    peak: (v) => v / bandwidth,
    noYield,
    // The sync-loop row: gradlab without dispose (nothing recycled until the loop yields) vs TF.js as always.
    only: noYield ? ["gradlab (GC only)", "TF.js CPU", "TF.js Wasm"] : undefined,
  };
}

function workloads(bandwidth: number): Workload[] {
  const init = mlpInit();
  const wantLoss = mlpLoss(init);
  const [dw, db] = chainGrads(0.5, 0.1);
  return [
    {
      name: "2×2 add (gradlab: grad tracking)", unit: "µs/op", higherIsBetter: false, timing: fast, metric: (us) => us,
      prepare: (p) => p.add2x2(new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8])),
      check(r) {
        if ((r as Float32Array).join() !== "6,8,10,12") throw new Error(`2×2 add: ${(r as Float32Array).join()}`);
      },
      target: { peer: "TF.js CPU", ratio: 0.2 },
    },
    {
      name: "1000-op scalar autograd chain", unit: "µs/op", higherIsBetter: false, timing: slow(600), metric: (us) => us / 1000,
      prepare: (p) => p.scalarChain(0.5, 0.1),
      check(r) {
        const [gw, gb] = r as [number, number];
        expectClose(gw, dw, 1e-3, "chain d/dw");
        expectClose(gb, db, 1e-3, "chain d/db");
      },
      target: { peer: "TF.js CPU", ratio: 0.05 },
    },
    matmulWorkload(256),
    matmulWorkload(1024),
    reluWorkload(bandwidth, false),
    reluWorkload(bandwidth, true),
    {
      name: "MLP 784-128-10 SGD step, batch 64", unit: "steps/s", higherIsBetter: true, timing: slow(1500),
      metric: (us) => 1e6 / us,
      prepare(p) {
        const c = p.mlpStep(init);
        c.run();
        expectClose(c.read(), wantLoss, 1e-4, `${p.name}: MLP first-step loss`);
        return c;
      },
      check(r) {
        if (!(Number(r) < wantLoss)) throw new Error(`MLP: the loss did not fall (${wantLoss} → ${Number(r)})`);
      },
      target: { peer: "TF.js Wasm", ratio: 6 },
      peak: (v) => (v * MLP_FLOPS) / 1e9 / (PEAK_GFLOPS * cores),
    },
  ];
}

interface Row {
  workload: string;
  unit: string;
  values: Record<string, number>;
  ratios: Record<string, number>;
  target?: string;
  met?: boolean;
  peakShare?: number;
}

async function main(): Promise<void> {
  const tfCpu = tfjsPeer("cpu");
  const tfWasm = tfjsPeer("wasm");
  const peers: (Peer & { activate?: () => Promise<void> })[] = [
    gradlabPeer({ dispose: true }), gradlabPeer({ dispose: false }), tfCpu, tfWasm,
  ];
  const be = currentBackend();
  // With the native BLAS, matmuls run there on one core and the Wasm helper threads stay idle.
  const native = be instanceof CpuBackend && be.wasm?.native != null;
  const threads = be instanceof CpuBackend && !native ? await be.startThreads() : 1;
  cores = threads;
  const bandwidth = copyBandwidth(1_000_000);
  const rows: Row[] = [];
  for (const w of workloads(bandwidth)) {
    const runs = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const p of peers) {
        const isVariant = p.name === "gradlab (GC only)";
        if (w.only ? !w.only.includes(p.name) : isVariant) continue;
        await p.activate?.();
        const c = w.prepare(p);
        const us = await medianUs(c, w.timing, !w.noYield);
        w.check(c.read());
        c.dispose?.();
        runs.set(p.name, [...(runs.get(p.name) ?? []), w.metric(us)]);
      }
    }
    const values: Record<string, number> = {};
    // The best round: other users of a shared machine only ever slow a round down.
    const best = (vs: number[]) => (w.higherIsBetter ? Math.max(...vs) : Math.min(...vs));
    for (const [name, vs] of runs) values[name === "gradlab (GC only)" ? "gradlab" : name] = best(vs);
    const g = values["gradlab"]!;
    const ratios: Record<string, number> = {};
    for (const name of ["TF.js CPU", "TF.js Wasm"]) if (values[name]) ratios[name] = g / values[name]!;
    const row: Row = { workload: w.name, unit: w.unit, values, ratios, peakShare: w.peak?.(g) };
    if (w.target) {
      const r = ratios[w.target.peer]!;
      row.target = `${w.higherIsBetter ? "≥" : "≤"} ${w.target.ratio}× ${w.target.peer}`;
      row.met = w.higherIsBetter ? r >= w.target.ratio : r <= w.target.ratio;
    }
    rows.push(row);
    printRow(row);
  }
  mkdirSync("bench-results", { recursive: true });
  const file = "bench-results/compare.json";
  const meta = { date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, rounds: ROUNDS, gradlabThreads: threads, nativeBlas: native };
  writeFileSync(file + ".tmp", JSON.stringify({ ...meta, peakGflops: PEAK_GFLOPS, copyGBs: bandwidth, rows }, null, 2));
  renameSync(file + ".tmp", file);
  const matmuls = native ? "matmuls in the native BLAS (OpenBLAS, one thread; GRADLAB_NATIVE_BLAS=0 for the Wasm kernels)" : `${threads} thread(s) for large matmuls (GRADLAB_CPU_THREADS)`;
  console.log(`\ngradlab on ${be.name}, ${matmuls}; TF.js Wasm single-threaded (its Node build has no threads)`);
  console.log(`peak: ${PEAK_GFLOPS} GFLOP/s per core (BENCH_PEAK_GFLOPS) × ${threads} core(s) gradlab used; memory: ${bandwidth.toFixed(1)} GB/s measured copy of 4 MB (8 bytes/element, as relu)`);
  console.log(`ratios: gradlab ÷ peer (for µs/op lower is better). Best of ${ROUNDS} interleaved rounds, each the median of its samples. wrote ${file}`);
  await compareUsers();
  await compareWebGpu();
}

let header = false;
function printRow(r: Row): void {
  const fmt = (v: number | undefined) => (v === undefined ? "–" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(3));
  const cols = [
    r.workload.padEnd(36), r.unit.padEnd(8), fmt(r.values["gradlab"]).padStart(9), fmt(r.values["TF.js CPU"]).padStart(10),
    fmt(r.values["TF.js Wasm"]).padStart(10), (r.ratios["TF.js CPU"] ? fmt(r.ratios["TF.js CPU"]) + "×" : "–").padStart(9),
    (r.ratios["TF.js Wasm"] ? fmt(r.ratios["TF.js Wasm"]) + "×" : "–").padStart(9),
    (r.peakShare === undefined ? "–" : (100 * r.peakShare).toFixed(0) + "%").padStart(6),
    r.target ? `${r.target}: ${r.met ? "met" : "NOT met"}` : "",
  ];
  if (!header) {
    header = true;
    console.log(
      ["workload".padEnd(36), "unit".padEnd(8), "gradlab".padStart(9), "TF.js CPU".padStart(10), "TF.js Wasm".padStart(10),
        "vs CPU".padStart(9), "vs Wasm".padStart(9), "peak".padStart(6), "target"].join(" "),
    );
  }
  console.log(cols.join(" "));
}

await main();
