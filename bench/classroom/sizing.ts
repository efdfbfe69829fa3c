// `npm run bench:classroom`: how many students one machine holds (docs/sizing.md). N students
// (BENCH_STUDENTS, default 1,2,4,8) each open a lesson at the same moment in their own kernel,
// as a JupyterHub starts it for them (gradlab's launcher, lean, from the start-up snapshot), and
// run every code cell in order. Reports the wall time until the last student finishes, CPU
// seconds per student, and each kernel's memory once the lesson is done (whole tree, RSS and
// PSS, after it has sat idle; with Linux's same-page merging when the machine has it on).
// Results go to bench-results/classroom.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { kernelArgv } from "../../kernel/install.js";
import { installId } from "../../kernel/paths.js";
import { processTree } from "../../kernel/grading/process-tree.js";
import { ksmState, withMemoryMerge } from "../../kernel/hub/memory-merge.js";
import { BenchClient, type KernelCommand } from "../kernel/client.js";
import { meanTreeMemory } from "../kernel/idle-memory.js";
import { buildSnapshot } from "../kernel/snapshot-cache.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const LESSONS = (process.env.BENCH_LESSONS ?? "03-activations,09-end-to-end").split(",");
const COUNTS = (process.env.BENCH_STUDENTS ?? "1,2,4,8").split(",").map(Number);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 30_000);

function codeCells(lesson: string): string[] {
  const nb = JSON.parse(readFileSync(path.join(root, "notebooks", `${lesson}.ipynb`), "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
  return nb.cells.filter((c) => c.cell_type === "code").map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source));
}

/** User plus system CPU seconds of a process tree, from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // ended
    }
  }
  return ticks / 100;
}

interface Row { lesson: string; students: number; wallS: number; cpuSPerStudent: number; rssMBPerStudent: number; pssMBPerStudent: number; mergedMBPerStudent: number }

async function classroom(command: KernelCommand, lesson: string, students: number, cwd: string): Promise<Row> {
  const cells = codeCells(lesson);
  const clients: BenchClient[] = [];
  try {
    for (let i = 0; i < students; i++) clients.push(await BenchClient.start(command, cwd));
    const started = performance.now();
    await Promise.all(
      clients.map(async (client) => {
        for (const [i, cell] of cells.entries()) {
          const { reply } = await client.execute(cell, 600_000);
          if (reply.content.status !== "ok") throw new Error(`${lesson}, code cell ${i + 1} failed: ${JSON.stringify(reply.content).slice(0, 300)}`);
        }
      }),
    );
    const wallS = (performance.now() - started) / 1000;
    const cpu = clients.reduce((sum, c) => sum + cpuSeconds(processTree(c.child.pid!)), 0) / students;
    await sleep(IDLE_MS);
    const m = meanTreeMemory(clients.map((c) => c.child.pid!));
    return { lesson, students, wallS, cpuSPerStudent: cpu, rssMBPerStudent: m.rssMB, pssMBPerStudent: m.pssMB, mergedMBPerStudent: m.mergedMB };
  } finally {
    for (const client of clients) await client.stop();
  }
}

async function main(): Promise<void> {
  const cache = mkdtempSync(path.join(os.tmpdir(), "gradlab-bench-cache-"));
  // Lessons read their data sets relative to the notebook's folder, as in notebooks/.
  const cwd = path.join(root, "notebooks");
  try {
    buildSnapshot(root, cache);
    const ksm = ksmState() === "on";
    const argv = kernelArgv(path.join(root, "bin"), installId());
    const command: KernelCommand = {
      name: "gradlab-lean",
      argv: ksm ? withMemoryMerge(argv) : argv,
      env: { GRADLAB_CACHE_DIR: cache, GRADLAB_STATE_DIR: path.join(cache, "state"), GRADLAB_LEAN: "1", GRADLAB_BACKEND: "cpu" },
    };
    process.stderr.write(`${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; KSM ${ksm ? "on" : "off"}\n`);
    const rows: Row[] = [];
    for (const lesson of LESSONS) {
      for (const students of COUNTS) {
        const row = await classroom(command, lesson, students, cwd);
        rows.push(row);
        process.stderr.write(`  ${lesson}, ${students} at once: ${row.wallS.toFixed(1)} s, ${row.cpuSPerStudent.toFixed(1)} CPU s each; after it, per kernel RSS ${row.rssMBPerStudent.toFixed(0)} MB, PSS ${row.pssMBPerStudent.toFixed(0)} MB, merged ${row.mergedMBPerStudent.toFixed(0)} MB\n`);
      }
    }
    console.log("lesson              students    wall s   CPU s/student   RSS MB   PSS MB   merged MB");
    for (const r of rows) console.log(`${r.lesson.padEnd(20)}${String(r.students).padStart(8)}${r.wallS.toFixed(1).padStart(10)}${r.cpuSPerStudent.toFixed(1).padStart(16)}${r.rssMBPerStudent.toFixed(0).padStart(9)}${r.pssMBPerStudent.toFixed(0).padStart(9)}${r.mergedMBPerStudent.toFixed(0).padStart(12)}`);
    const out = path.join(root, "bench-results");
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "classroom.json"), JSON.stringify({ node: process.version, cpus: os.cpus().length, ksm, loadAverage: os.loadavg(), rows }, null, 2) + "\n");
    console.log(`load average during the run: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
  process.exit(0);
}

void main();
