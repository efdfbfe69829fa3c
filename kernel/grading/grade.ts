import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { readNotebook, writeNotebook, type Notebook } from "../notebook/nbformat.js";
import { mergeForGrading, type GradedCell } from "./merge.js";

export interface TestResult {
  name: string;
  points: number;
  max: number;
  passed: boolean;
  hidden: boolean;
  /** Why it failed: the error the cell raised, a timeout, or a crash of the submission. */
  error?: string;
}

export interface GradeReport {
  submission: string;
  score: number;
  max: number;
  tests: TestResult[];
}

export interface GradeOptions {
  /** Seconds each cell may run. */
  timeout?: number;
  /** The CLI that executes notebooks (`gradlab run`); a separate process per submission. */
  runner: string[];
}

interface OutputLike {
  output_type?: string;
  ename?: string;
  evalue?: string;
}

function errorOf(outputs: unknown[] | undefined): string | null {
  for (const o of (outputs ?? []) as OutputLike[]) {
    if (o.output_type === "error") return `${o.ename ?? "Error"}: ${o.evalue ?? ""}`.trim();
  }
  return null;
}

/** Runs `cmd` with a wall-clock limit; a runaway or crashing submission ends only its own process. */
function runIsolated(cmd: string[], cwd: string, limitMs: number): Promise<{ code: number | null; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, GRADLAB_GRADING: "1" } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < 20_000) stderr += d.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, limitMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, timedOut });
    });
  });
}

/** Grades one submission against the instructor's source. Never writes to the submission. */
export async function gradeSubmission(submissionPath: string, source: Notebook, options: GradeOptions): Promise<GradeReport> {
  const submission = readNotebook(submissionPath);
  const { notebook, graded } = mergeForGrading(source, submission);
  const work = mkdtempSync(join(tmpdir(), "gradlab-grade-"));
  const input = join(work, "graded.ipynb");
  const output = join(work, "graded.out.ipynb");
  const timeout = options.timeout ?? 60;
  try {
    writeNotebook(input, notebook);
    const codeCells = notebook.cells.filter((c) => c.cell_type === "code").length;
    const run = await runIsolated(
      [...options.runner, "run", input, "-o", output, "--timeout", String(timeout), "--continue-on-error"],
      work,
      (timeout * codeCells + 30) * 1000,
    );
    let executed: Notebook | null = null;
    try {
      executed = readNotebook(output);
    } catch {
      executed = null;
    }
    const crash = run.timedOut ? "the submission ran past its time limit" : `the submission crashed the notebook runner (exit ${run.code}): ${run.stderr.trim().split("\n").slice(-3).join(" ")}`;
    const tests = graded.map((g: GradedCell): TestResult => {
      const cell = executed?.cells[g.index];
      const ran = cell && typeof cell.execution_count === "number";
      const error = !executed || !ran ? crash || "not run" : errorOf(cell!.outputs);
      const passed = !!executed && !!ran && error === null;
      return { name: g.name, points: passed ? g.points : 0, max: g.points, passed, hidden: g.hidden, ...(passed ? {} : { error: error ?? "not run" }) };
    });
    return { submission: basename(submissionPath), score: tests.reduce((s, t) => s + t.points, 0), max: tests.reduce((s, t) => s + t.max, 0), tests };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Grades many submissions with a few at a time (one process each). */
export async function gradeAll(paths: string[], source: Notebook, options: GradeOptions & { parallel?: number }): Promise<GradeReport[]> {
  const results = new Array<GradeReport>(paths.length);
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const i = next++;
      try {
        results[i] = await gradeSubmission(paths[i]!, source, options);
      } catch (e) {
        results[i] = { submission: basename(paths[i]!), score: 0, max: 0, tests: [{ name: "submission", points: 0, max: 0, passed: false, hidden: false, error: (e as Error).message }] };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 2) }, worker));
  return results;
}

export function formatReport(r: GradeReport): string {
  const w = Math.max(4, ...r.tests.map((t) => t.name.length + (t.hidden ? 9 : 0)));
  const lines = [`${r.submission}`, `  ${"test".padEnd(w)}  points  result`];
  for (const t of r.tests) {
    const name = t.name + (t.hidden ? " (hidden)" : "");
    lines.push(`  ${name.padEnd(w)}  ${`${t.points}/${t.max}`.padStart(6)}  ${t.passed ? "passed" : `FAILED: ${t.error}`}`);
  }
  lines.push(`  score: ${r.score}/${r.max}`);
  return lines.join("\n");
}
