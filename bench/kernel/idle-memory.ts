// Idle memory of one kernel, as a classroom server pays it per student: the kernel's whole
// process tree (launcher, relay, kernel; tslab's one process) after a first `1+1` and a pause,
// summed over the tree. RSS counts pages shared between processes (Node's own code) once per
// process; PSS (proportional set size, /proc/PID/smaps_rollup) splits each shared page among the
// processes that map it, so it is what one more student costs a server running many kernels.
// The classroom phase runs several kernels at once, with Linux's same-page merging when the
// machine has it on (kernel/hub/memory-merge.ts), as `gradlab hub-config` sets up a hub.
import { existsSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { processTree } from "../../kernel/grading/process-tree.js";
import { ksmState, withMemoryMerge } from "../../kernel/hub/memory-merge.js";
import { BenchClient, type KernelCommand } from "./client.js";
import { median } from "./stats.js";

/**
 * How long a kernel sits idle after its first reply before it is measured: V8's memory reducer
 * shrinks an idle heap after some seconds (gradlab's at ~10 s, tslab's at ~20 s), and a student's
 * idle kernel stays idle for minutes.
 */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 30_000);
/** KSM merges in passes over all pages; this leaves it two or more. */
const CLASSROOM_SETTLE_MS = Number(process.env.BENCH_CLASSROOM_SETTLE_MS ?? 60_000);

export interface ProcessMemory {
  pid: number;
  command: string;
  rssMB: number;
  pssMB: number;
  /** Pages of it that KSM merged with other processes' (0 without KSM). */
  mergedMB: number;
}

function kilobytes(text: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return match ? Number(match[1]) : 0;
}

function mergedPages(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/ksm_merging_pages`, "utf8")) || 0;
  } catch {
    return 0;
  }
}

/** Each process of the tree under `root`, with its resident and proportional memory. */
export function treeMemory(root: number): ProcessMemory[] {
  const out: ProcessMemory[] = [];
  for (const pid of processTree(root)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      out.push({
        pid,
        command: argv.map((a) => a.split("/").pop()).slice(0, 3).join(" "),
        rssMB: kilobytes(status, "VmRSS") / 1024,
        pssMB: kilobytes(rollup, "Pss") / 1024,
        mergedMB: mergedPages(pid) * 4 / 1024,
      });
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** The mean per tree, over the process trees under `roots`, of each tree's summed RSS, PSS and merged memory. */
export function meanTreeMemory(roots: number[]): { rssMB: number; pssMB: number; mergedMB: number } {
  const trees = roots.map(treeMemory);
  const mean = (field: "rssMB" | "pssMB" | "mergedMB") => trees.reduce((sum, tree) => sum + tree.reduce((s, p) => s + p[field], 0), 0) / trees.length;
  return { rssMB: mean("rssMB"), pssMB: mean("pssMB"), mergedMB: mean("mergedMB") };
}

/** Median over `starts` kernels of the tree's summed RSS and PSS once idle, and the processes of the last one. */
export async function idleMemory(command: KernelCommand, notebook: string, starts: number): Promise<{ idleRssMB: number; idlePssMB: number; idleProcesses: number; breakdown: ProcessMemory[] }> {
  const rss: number[] = [];
  const pss: number[] = [];
  let breakdown: ProcessMemory[] = [];
  for (let i = 0; i < starts; i++) {
    const client = await BenchClient.start(command, notebook);
    try {
      await client.firstReply("1+1");
      await sleep(SETTLE_MS);
      breakdown = treeMemory(client.child.pid!);
      rss.push(breakdown.reduce((sum, p) => sum + p.rssMB, 0));
      pss.push(breakdown.reduce((sum, p) => sum + p.pssMB, 0));
    } finally {
      await client.stop();
    }
  }
  return { idleRssMB: median(rss), idlePssMB: median(pss), idleProcesses: breakdown.length, breakdown };
}

/**
 * `count` kernels started one after another and left idle together, as a classroom's are: the
 * mean per kernel of each tree's RSS, PSS and KSM-merged memory. KSM is asked for (through
 * /usr/bin/python3, as the hub's config does) when the machine has it on; `ksm` says whether.
 */
export async function classroomMemory(command: KernelCommand, notebook: string, count: number): Promise<{ classroomRssMB: number; classroomPssMB: number; classroomMergedMB: number; ksm: number }> {
  const ksm = ksmState() === "on" && existsSync("/usr/bin/python3");
  const started = ksm ? { ...command, argv: withMemoryMerge(command.argv) } : command;
  const clients: BenchClient[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const client = await BenchClient.start(started, notebook);
      clients.push(client);
      await client.firstReply("1+1");
    }
    await sleep(CLASSROOM_SETTLE_MS);
    const m = meanTreeMemory(clients.map((client) => client.child.pid!));
    return { classroomRssMB: m.rssMB, classroomPssMB: m.pssMB, classroomMergedMB: m.mergedMB, ksm: ksm ? 1 : 0 };
  } finally {
    for (const client of clients) await client.stop();
  }
}
