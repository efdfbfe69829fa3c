import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { data } from "../../lib/index.js";
import { nativeBlasStatus } from "../../lib/backend/cpu/native-blas.js";
import type { RunResult } from "./result.js";

/**
 * `npm run bench`'s "as users write it" section: the loops students and lessons write (the
 * high-level API, no dispose, no await), each run in a fresh process so its memory is its own,
 * next to PyTorch (Debian's python3-torch, one thread) and TF.js Wasm. Systems alternate within
 * each round; speed is the best round (a shared machine only ever slows a run down), memory
 * growth the worst. Prints a table and writes bench-results/users.json.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..", "..");
const PYTHON = "/usr/bin/python3";
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
const STEPS = Number(process.env["BENCH_USERS_STEPS"] ?? 10_000);

type System = "PyTorch" | "TF.js Wasm";

interface Workload {
  name: string;
  /** What each system runs: a command line, or null when that system is not part of the row. */
  gradlab: { args: string[]; env?: Record<string, string> };
  peer?: { system: System; run: () => string[] | null; label?: string };
  higherIsBetter: boolean;
  /** Speed target: gradlab ÷ peer. */
  ratio?: number;
  /** Memory target: growth after step 100 in MiB (absolute), or a multiple of the step-100 level. */
  growthMiB?: number;
  growthFactor?: number;
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): RunResult {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 1 << 24, timeout: 900_000 });
  const line = r.stdout?.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as RunResult;
  } catch {
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr?.slice(-2000)}`);
  }
}

function torchMissing(): string | null {
  const r = spawnSync(PYTHON, ["-c", "import torch, numpy"], { encoding: "utf8" });
  if (r.status === 0) return null;
  return `PyTorch is not installed for ${PYTHON}: apt-get install python3-torch (Debian's PyTorch 1.13, the peer of the issue), then run npm run bench again`;
}

function workloads(digits: { x: string; y: string }, hasTorch: boolean): Workload[] {
  const node = (file: string) => join("dist", "bench", "users", file);
  const torch = (...args: string[]) => () => (hasTorch ? [PYTHON, join("bench", "users", "torch_run.py"), ...args] : null);
  const loops: Workload[] = [];
  for (const opt of ["sgd", "adam", "momentum", "rmsprop"]) {
    const steps = String(STEPS);
    loops.push({
      name: `MLP loop, ${opt}, ${STEPS} steps`, higherIsBetter: true, growthMiB: 64,
      gradlab: { args: [node("gradlab-run.js"), opt, steps] },
      peer: { system: "PyTorch", run: torch(opt, steps) },
      ratio: opt === "sgd" || opt === "adam" ? 1 : undefined,
    });
  }
  return [
    ...loops,
    {
      name: "train.fit, digits, Adam, batch 64, 6 epochs", higherIsBetter: true, ratio: 1, growthMiB: 64,
      gradlab: { args: [node("gradlab-run.js"), "fit", "6"] },
      peer: { system: "PyTorch", run: torch("fit", "6", digits.x, digits.y), label: "PyTorch loop over shuffled batches, as lesson 09 (6 epochs)" },
    },
    {
      name: "relu on 1e6 floats, sync loop, no dispose", higherIsBetter: true, ratio: 0.8, growthMiB: 64,
      gradlab: { args: [node("gradlab-run.js"), "relu", "2000"] },
      peer: { system: "TF.js Wasm", run: () => [process.execPath, node("tfjs-run.js"), "relu", "2000"], label: "TF.js Wasm with dispose" },
    },
    {
      name: "scalar autograd chain, no dispose", higherIsBetter: false, growthMiB: 64,
      gradlab: { args: [node("gradlab-run.js"), "chain", "3000"] },
    },
    {
      name: "MLP loop, adam, WebGPU (llvmpipe), 2000 steps", higherIsBetter: true, growthFactor: 2,
      gradlab: { args: [node("gradlab-run.js"), "webgpu-adam", "2000"], env: { EGL_PLATFORM: process.env["EGL_PLATFORM"] ?? "surfaceless" } },
    },
  ];
}

export interface UsersRow {
  workload: string;
  unit: string;
  gradlab: number;
  peer?: { name: string; value: number; ratio: number };
  /** Median over rounds of gradlab ÷ peer within a round (the ratio above is best ÷ best). */
  pairedRatio?: number;
  /** Median over rounds of CPU time ÷ wall time in the timed part: cores each side kept busy. */
  gradlabCores?: number;
  peerCores?: number;
  target?: string;
  met?: boolean;
  memory: string;
  gradlabGrowth: number;
  gradlabAt100: number;
  peerGrowth?: number;
  memoryTarget?: string;
  memoryMet?: boolean;
}

export async function compareUsers(): Promise<UsersRow[]> {
  console.log(`\nAs users write it: the high-level API, no dispose, no await; each run a fresh process; best of ${ROUNDS} rounds for speed (and the median of each round's gradlab ÷ peer), worst for memory`);
  const missing = torchMissing();
  if (missing) console.log(missing);
  const tmp = mkdtempSync(join(tmpdir(), "gradlab-bench-users-"));
  const ds = await data.digits();
  const digits = { x: join(tmp, "digits-x.f32"), y: join(tmp, "digits-y.i32") };
  writeFileSync(digits.x, ds.x.dataSync() as Float32Array);
  writeFileSync(digits.y, ds.y.dataSync() as Int32Array);
  const rows: UsersRow[] = [];
  try {
    for (const w of workloads(digits, !missing)) {
      const mine: RunResult[] = [];
      const theirs: RunResult[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        mine.push(run(process.execPath, w.gradlab.args, { GRADLAB_BACKEND: "cpu", ...w.gradlab.env }));
        const cmd = w.peer?.run();
        if (cmd) theirs.push(run(cmd[0]!, cmd.slice(1)));
      }
      rows.push(summarize(w, mine, theirs));
      printRow(rows[rows.length - 1]!);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  mkdirSync(join(ROOT, "bench-results"), { recursive: true });
  const file = join(ROOT, "bench-results", "users.json");
  const torchVersion = missing ? null : execFileSync(PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" }).trim();
  writeFileSync(file + ".tmp", JSON.stringify({ date: new Date().toISOString(), node: process.version, torch: torchVersion, rounds: ROUNDS, steps: STEPS, rows }, null, 2));
  renameSync(file + ".tmp", file);
  console.log(`gradlab: its defaults (matmuls: ${nativeBlasStatus()}, one thread for a training step's); PyTorch: one thread (torch.set_num_threads(1) and OPENBLAS_NUM_THREADS=1; "cores busy" shows what each really used). ratios: gradlab ÷ peer. wrote bench-results/users.json`);
  return rows;
}

function summarize(w: Workload, mine: RunResult[], theirs: RunResult[]): UsersRow {
  const best = (rs: RunResult[]) => (w.higherIsBetter ? Math.max(...rs.map((r) => r.value)) : Math.min(...rs.map((r) => r.value)));
  const growth = (rs: RunResult[]) => Math.max(...rs.map((r) => r.rssPeak - r.rss100));
  const row: UsersRow = {
    workload: w.name, unit: mine[0]!.unit, gradlab: best(mine), memory: mine[0]!.memory ?? "RSS MiB",
    gradlabGrowth: growth(mine), gradlabAt100: Math.max(...mine.map((r) => r.rss100)),
    gradlabCores: coresOf(mine),
  };
  if (theirs.length) {
    const v = best(theirs);
    const ratioOf = (g: number, p: number) => (w.higherIsBetter ? g / p : p / g);
    row.peer = { name: w.peer!.label ?? w.peer!.system, value: v, ratio: ratioOf(row.gradlab, v) };
    // Each round ran gradlab then the peer back to back; the median of those pairs' ratios
    // shrugs off a round that one system happened to run in a fast or slow spell of the machine.
    row.pairedRatio = median(mine.map((m, i) => (theirs[i] ? ratioOf(m.value, theirs[i]!.value) : NaN)).filter(Number.isFinite));
    row.peerGrowth = growth(theirs);
    row.peerCores = coresOf(theirs);
    if (w.ratio !== undefined) {
      row.target = `≥ ${w.ratio}× ${w.peer!.system}`;
      row.met = row.peer.ratio >= w.ratio;
    }
  }
  if (w.growthMiB !== undefined) {
    row.memoryTarget = `grows ≤ ${w.growthMiB} MiB`;
    row.memoryMet = row.gradlabGrowth <= w.growthMiB;
  } else if (w.growthFactor !== undefined) {
    row.memoryTarget = `peak ≤ ${w.growthFactor}× step 100`;
    row.memoryMet = mine.every((r) => r.rssPeak <= w.growthFactor! * r.rss100);
  }
  return row;
}

function coresOf(rs: RunResult[]): number | undefined {
  const cores = rs.flatMap((r) => (r.cores === undefined ? [] : [r.cores]));
  return cores.length ? median(cores) : undefined;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

let header = false;
function printRow(r: UsersRow): void {
  const f = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  if (!header) {
    header = true;
    console.log(["workload".padEnd(46), "unit".padEnd(10), "gradlab".padStart(8), "peer".padStart(8), "ratio".padStart(7), "speed target".padEnd(22), "memory growth after step 100".padEnd(40)].join(" "));
  }
  const mem = `${f(r.gradlabGrowth)} ${r.memory}${r.peerGrowth !== undefined ? ` (peer ${f(r.peerGrowth)})` : ""}${r.memoryTarget ? `, ${r.memoryTarget}: ${r.memoryMet ? "met" : "NOT met"}` : ""}`;
  console.log([
    r.workload.padEnd(46), r.unit.padEnd(10), f(r.gradlab).padStart(8), (r.peer ? f(r.peer.value) : "–").padStart(8),
    (r.peer ? f(r.peer.ratio) + "×" : "–").padStart(7), (r.target ? `${r.target}: ${r.met ? "met" : "NOT met"}` : "").padEnd(22), mem,
  ].join(" "));
  const cores = (c: number | undefined) => (c === undefined ? "?" : c.toFixed(2));
  if (r.peer) {
    console.log(`${"".padEnd(46)} peer: ${r.peer.name}; median of the rounds' paired ratios ${f(r.pairedRatio ?? NaN)}×; cores busy: gradlab ${cores(r.gradlabCores)}, peer ${cores(r.peerCores)}`);
  } else console.log(`${"".padEnd(46)} cores busy: gradlab ${cores(r.gradlabCores)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await compareUsers();
