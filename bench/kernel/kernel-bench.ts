// `npm run bench:kernel`: gradlab's kernel next to tslab's, in the same run, on the same cells.
//   start → first `1+1` reply (process spawn to execute_reply, median of runs; gradlab from its
//   start-up snapshot, gradlab-cold without one), and for gradlab when its start-up milestones
//   were reached (firstReply…AtMs, on the kernel's clock), to show where that time goes
//   `1+1` round trip (request to execute_reply, median of 200), after start-up and from cell 1000 on,
//   and of a new expression each time (`0+1`, `1+1`, …)
//   a typed declaration cell after 300 cells (median; first vs last quarter shows flatness)
//   the first reply through a real Jupyter Server, as a notebook opened in JupyterLab gets it
//   (firstReplyViaServerMs: asking for a session to the first `1+1` reply; server-first-reply.ts)
//   idle memory per kernel, the whole process tree after `1+1` (idleRssMB, idlePssMB; idle-memory.ts):
//   what each student costs a classroom server. gradlab-lean is the kernel as `gradlab hub-config`
//   starts it for students (GRADLAB_LEAN=1: no socket relay, no separate interrupt thread)
//   a classroom: BENCH_CLASSROOM (8) kernels idle at once, per kernel, with Linux's same-page
//   merging if the machine has it on (classroomPssMB, classroomMergedMB, ksm 1/0; gradlab-lean
//   and tslab only)
// BENCH_PHASES=memory (or a comma list of start,trips,typed,memory,classroom,server) runs only
// those phases.
// Results are printed and written to bench-results/kernel.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { kernelArgv } from "../../kernel/install.js";
import { installId } from "../../kernel/paths.js";
import { BenchClient, type KernelCommand } from "./client.js";
import { classroomMemory, idleMemory } from "./idle-memory.js";
import { firstRepliesThroughServer } from "./server-first-reply.js";
import { buildSnapshot } from "./snapshot-cache.js";
import { median } from "./stats.js";

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL("../../../", import.meta.url));
const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 200);
const HISTORY_CELLS = 300;
const STEADY_FROM = 1000;
const TYPED_CELLS = 60;
const MEMORY_STARTS = Number(process.env.BENCH_MEMORY_STARTS ?? 2);
const CLASSROOM = Number(process.env.BENCH_CLASSROOM ?? 8);
const PHASES = new Set((process.env.BENCH_PHASES ?? "start,trips,typed,memory,classroom,server").split(","));

// gradlab starts from a start-up snapshot built beforehand (in a private cache folder), as it
// does from its second start on; "gradlab-cold" is a first start, without one.
const cache = mkdtempSync(path.join(os.tmpdir(), "gradlab-bench-cache-"));
// History goes there too, not to the user's own.
const state = path.join(cache, "state");
// What Jupyter runs: the command `gradlab install` writes into kernel.json.
const gradlabArgv = kernelArgv(path.join(root, "bin"), installId());
const kernels: KernelCommand[] = [
  { name: "gradlab", argv: gradlabArgv, env: { GRADLAB_CACHE_DIR: cache, GRADLAB_STATE_DIR: state, GRADLAB_NO_SNAPSHOT: "" } },
  { name: "gradlab-lean", argv: gradlabArgv, env: { GRADLAB_CACHE_DIR: cache, GRADLAB_STATE_DIR: state, GRADLAB_NO_SNAPSHOT: "", GRADLAB_LEAN: "1" } },
  { name: "gradlab-cold", argv: gradlabArgv, env: { GRADLAB_CACHE_DIR: cache, GRADLAB_STATE_DIR: state, GRADLAB_NO_SNAPSHOT: "1" } },
  { name: "tslab", argv: [process.execPath, require.resolve("tslab/bin/tslab"), "kernel", "--config-path", "{connection_file}"] },
];

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/** Cells like a lesson's: typed declarations, functions, expressions, output. */
function historyCell(i: number): string {
  switch (i % 4) {
    case 0:
      return `const xs${i}: number[] = [${i}, ${i + 1}, ${i + 2}];`;
    case 1:
      return `function f${i}(a: number, b: string): string { return b.repeat(a % 3) + ${i}; }`;
    case 2:
      return `interface P${i} { x: number; y: number }\nconst p${i}: P${i} = { x: ${i}, y: xs${i - 2}.length };`;
    default:
      return `f${i - 2}(${i}, "ab").length + p${i - 1}.x`;
  }
}

/**
 * Start-up milestones that gradlab's kernel traces (GRADLAB_TRACE), in ms on its own clock: the
 * result's key, the kernel's trace step, and how the bench's summary line names it.
 */
const MILESTONES = {
  firstReplyRestoredAtMs: { step: "restored from the snapshot", label: "snapshot restored" },
  firstReplySocketsBoundAtMs: { step: "ports bound (socket relay)", label: "ports bound" },
  firstReplyWorkerAtMs: { step: "connected to the socket relay (socket worker)", label: "socket worker connected" },
  firstReplyReadyAtMs: { step: "socket worker ready", label: "kernel ready" },
  firstReplyRequestAtMs: { step: "handling execute_request", label: "request handled" },
  firstReplyRepliedAtMs: { step: "replied to execute_request 1", label: "replied" },
} as const;
type MilestoneKey = keyof typeof MILESTONES;
type Milestones = Record<MilestoneKey, number>;
const MILESTONE_KEYS = Object.keys(MILESTONES) as MilestoneKey[];

async function firstReplies(command: KernelCommand, notebook: string): Promise<{ firstReplyMs: number } & Milestones> {
  const starts: number[] = [];
  const steps = new Map<string, number[]>();
  // Only gradlab traces its start-up; the few lines it writes do not change its timing.
  const traced = command.name.startsWith("gradlab") ? { ...command, env: { ...command.env, GRADLAB_TRACE: "1" } } : command;
  for (let i = 0; i < STARTS; i++) {
    const client = await BenchClient.start(traced, notebook);
    // Sent at once: ZeroMQ queues it until the kernel listens, as a frontend's first cell would.
    starts.push((await client.firstReply("1+1")) - client.spawnedAt);
    for (const [step, ms] of client.steps) steps.set(step, [...(steps.get(step) ?? []), ms]);
    await client.stop();
  }
  const milestones = Object.fromEntries(
    MILESTONE_KEYS.map((key) => {
      const times = steps.get(MILESTONES[key].step);
      return [key, times ? median(times) : NaN];
    }),
  ) as Milestones;
  return { firstReplyMs: median(starts), ...milestones };
}

/** Where a first reply's time went, from the kernel's milestones. */
function describeStart(m: Milestones): string {
  const parts = MILESTONE_KEYS.filter((key) => !Number.isNaN(m[key])).map((key) => `${MILESTONES[key].label} ${m[key].toFixed(0)}`);
  return parts.length ? ` (kernel clock, medians: ${parts.join(", ")} ms)` : "";
}

/**
 * Right after start-up (cells 21 to 20 + ROUND_TRIPS), and in a steady state (the same number of
 * cells from cell 1000 on), when V8 has compiled TypeScript's checker into optimized code.
 */
async function roundTrips(command: KernelCommand, notebook: string): Promise<{ roundTripMs: number; roundTripNewCellMs: number; roundTripSteadyMs: number }> {
  const client = await BenchClient.start(command, notebook);
  try {
    await client.waitForIopub();
    for (let i = 0; i < 20; i++) await client.execute("1+1");
    const trips: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) trips.push((await client.execute("1+1")).ms);
    // gradlab reuses the conversion of a cell run again unchanged; a new expression each time
    // shows the cost of converting one.
    const fresh: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) fresh.push((await client.execute(`${i}+1`)).ms);
    const steady: number[] = [];
    let cell = 20 + 2 * ROUND_TRIPS;
    try {
      for (; cell < STEADY_FROM; cell++) await client.execute("1+1");
      for (let i = 0; i < ROUND_TRIPS; i++, cell++) steady.push((await client.execute("1+1")).ms);
    } catch (error) {
      // tslab 1.0.22 stops answering after several hundred cells (at cell 680 on this machine):
      // its early round trips still count.
      process.stderr.write(`  ${command.name} stopped answering at cell ${cell + 1}: ${error instanceof Error ? error.message : String(error)}\n`);
      return { roundTripMs: median(trips), roundTripNewCellMs: median(fresh), roundTripSteadyMs: NaN };
    }
    return { roundTripMs: median(trips), roundTripNewCellMs: median(fresh), roundTripSteadyMs: median(steady) };
  } finally {
    await client.stop();
  }
}

async function typedCells(command: KernelCommand, notebook: string): Promise<Record<string, number>> {
  const client = await BenchClient.start(command, notebook);
  try {
    await client.waitForIopub();
    for (let i = 0; i < HISTORY_CELLS; i++) {
      const { reply } = await client.execute(historyCell(i));
      if (reply.content.status !== "ok") throw new Error(`${command.name}: cell ${i} failed: ${JSON.stringify(reply.content)}`);
    }
    const typed: number[] = [];
    for (let i = 0; i < TYPED_CELLS; i++) {
      const { ms, reply } = await client.execute(`const typed${i}: { name: string; values: number[] } = { name: "t${i}", values: xs${(i % 50) * 4}.map((v) => v * ${i}) };`);
      if (reply.content.status !== "ok") throw new Error(`${command.name}: typed cell failed: ${JSON.stringify(reply.content)}`);
      typed.push(ms);
    }
    const quarter = Math.floor(TYPED_CELLS / 4);
    return {
      typedCellAfter300Ms: median(typed),
      typedCellFirstQuarterMs: median(typed.slice(0, quarter)),
      typedCellLastQuarterMs: median(typed.slice(-quarter)),
      // gradlab freezes older declarations into a file of their own every few dozen cells
      // (declaration-chunks.cts); the cell after that is slower, which the tail shows.
      typedCellP90Ms: percentile(typed, 0.9),
      typedCellMaxMs: Math.max(...typed),
    };
  } finally {
    await client.stop();
  }
}

/** A kernel that dies or loses a message fails one phase (tried twice), not the whole run. */
async function phase<T>(name: string, run: () => Promise<T>, failed: T): Promise<T> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      return await run();
    } catch (error) {
      process.stderr.write(`  ${name} failed (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  return failed;
}

async function measure(command: KernelCommand, notebook: string): Promise<Record<string, number>> {
  const results: Record<string, number> = {};
  if (PHASES.has("start")) {
    const noMilestones = Object.fromEntries(MILESTONE_KEYS.map((key) => [key, NaN])) as Milestones;
    const start = await phase(`${command.name} first reply`, () => firstReplies(command, notebook), { firstReplyMs: NaN, ...noMilestones });
    const { firstReplyMs, ...milestones } = start;
    process.stderr.write(`  ${command.name}: first reply ${firstReplyMs.toFixed(0)} ms${describeStart(milestones)}\n`);
    Object.assign(results, { firstReplyMs }, milestones);
  }
  if (PHASES.has("trips")) {
    const trips = await phase(`${command.name} round trip`, () => roundTrips(command, notebook), { roundTripMs: NaN, roundTripNewCellMs: NaN, roundTripSteadyMs: NaN });
    process.stderr.write(`  ${command.name}: round trip ${trips.roundTripMs.toFixed(2)} ms, new cells ${trips.roundTripNewCellMs.toFixed(2)} ms, from cell ${STEADY_FROM} on ${trips.roundTripSteadyMs.toFixed(2)} ms\n`);
    Object.assign(results, trips);
  }
  if (PHASES.has("typed")) {
    Object.assign(results, await phase(`${command.name} typed cells`, () => typedCells(command, notebook), { typedCellAfter300Ms: NaN, typedCellFirstQuarterMs: NaN, typedCellLastQuarterMs: NaN, typedCellP90Ms: NaN, typedCellMaxMs: NaN }));
  }
  if (PHASES.has("memory")) {
    const memory = await phase(`${command.name} idle memory`, () => idleMemory(command, notebook, MEMORY_STARTS), { idleRssMB: NaN, idlePssMB: NaN, idleProcesses: NaN, breakdown: [] });
    const parts = memory.breakdown.map((p) => `${p.command}: RSS ${p.rssMB.toFixed(0)}, PSS ${p.pssMB.toFixed(0)}`).join("; ");
    process.stderr.write(`  ${command.name}: idle RSS ${memory.idleRssMB.toFixed(0)} MB, PSS ${memory.idlePssMB.toFixed(0)} MB over ${memory.idleProcesses} processes (${parts})\n`);
    Object.assign(results, { idleRssMB: memory.idleRssMB, idlePssMB: memory.idlePssMB, idleProcesses: memory.idleProcesses });
  }
  if (PHASES.has("classroom") && (command.name === "gradlab-lean" || command.name === "tslab")) {
    const room = await phase(`${command.name} classroom`, () => classroomMemory(command, notebook, CLASSROOM), { classroomRssMB: NaN, classroomPssMB: NaN, classroomMergedMB: NaN, ksm: NaN });
    process.stderr.write(`  ${command.name}: ${CLASSROOM} kernels at once, per kernel: RSS ${room.classroomRssMB.toFixed(0)} MB, PSS ${room.classroomPssMB.toFixed(0)} MB, merged ${room.classroomMergedMB.toFixed(0)} MB (KSM ${room.ksm ? "on" : "off"})\n`);
    Object.assign(results, room);
  }
  return results;
}

async function main(): Promise<void> {
  const notebook = mkdtempSync(path.join(os.tmpdir(), "gradlab-bench-notebook-"));
  const results: Record<string, Record<string, number>> = {};
  try {
    buildSnapshot(root, cache);
    const only = process.env.BENCH_ONLY;
    const measured = kernels.filter((k) => !only || k.name === only);
    for (const command of measured) {
      process.stderr.write(`measuring ${command.name}…\n`);
      results[command.name] = await measure(command, notebook);
    }
    if (PHASES.has("server")) {
      process.stderr.write("measuring the first reply through Jupyter Server…\n");
      const viaServer = await phase("first reply through Jupyter Server", () => firstRepliesThroughServer(measured, notebook, STARTS), { medians: null, missing: "it failed twice" });
      if (!viaServer.medians) process.stderr.write(`  not measured: ${viaServer.missing}\n`);
      for (const command of measured) results[command.name]!.firstReplyViaServerMs = viaServer.medians?.[command.name] ?? NaN;
    }
  } finally {
    rmSync(notebook, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
  const names = Object.keys(results);
  const rows = [...new Set(names.flatMap((name) => Object.keys(results[name]!)))];
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(28) : c.padStart(10))).join(" ");
  console.log(line(["metric (ms; MB for memory)", ...names]));
  for (const row of rows) console.log(line([row, ...names.map((name) => (results[name]![row] ?? NaN).toFixed(2))]));
  const out = path.join(root, "bench-results");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "kernel.json"), JSON.stringify({ node: process.version, cpus: os.cpus().length, loadAverage: os.loadavg(), results }, null, 2) + "\n");
  // Other work on the machine distorts these timings; the load average says how much.
  console.log(`load average during the run: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  process.exit(0);
}

void main();
