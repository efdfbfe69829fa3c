import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { readNotebook, type Notebook } from "../notebook/nbformat.js";
import { runNotebook } from "../run/run-notebook.js";
import { mergeForGrading, type GradedCell } from "./merge.js";
import { SandboxSession } from "./sandbox-session.js";
import type { SandboxMode } from "./sandbox.js";

export interface TestResult {
  name: string;
  points: number;
  max: number;
  passed: boolean;
  hidden: boolean;
  /** Why it failed: the check's message, a timeout, or what stopped the submission. */
  error?: string;
  /** The check's hint, when it gave one. */
  hint?: string;
}

export interface GradeReport {
  /** The submission's file name; `student` is that name without `.ipynb`. */
  submission: string;
  student: string;
  score: number;
  max: number;
  tests: TestResult[];
  /** What stopped the run before its end (a time or memory limit, a crash), if anything did. */
  problem?: string;
  seconds: number;
  /** Largest memory the submission's processes held, in MB. */
  peakMb: number;
}

export interface GradeOptions {
  /** Seconds each cell may run. */
  timeout?: number;
  /** Memory a submission may use, in MB. */
  memoryMb?: number;
  sandbox: SandboxMode;
  /** gradlab's package folder (the library the submission runs with, read-only). */
  packageRoot: string;
}

interface ErrorLike {
  output_type?: string;
  ename?: string;
  evalue?: string;
}

/** A hidden test's failure says what failed in a line, never more: its code stays the instructor's. */
const HIDDEN_ERROR_CHARS = 200;

function failureOf(outputs: unknown[] | undefined, hidden: boolean): { error: string; hint?: string } | null {
  const o = ((outputs ?? []) as ErrorLike[]).find((x) => x.output_type === "error");
  if (!o) return null;
  const text = `${o.ename ?? "Error"}: ${o.evalue ?? ""}`.trim();
  const at = text.indexOf("\nHint:");
  const message = at >= 0 ? text.slice(0, at) : text;
  const hint = at >= 0 ? text.slice(at + "\nHint:".length).trim() : undefined;
  if (hidden) {
    const line = message.split("\n")[0]!;
    return { error: line.length > HIDDEN_ERROR_CHARS ? line.slice(0, HIDDEN_ERROR_CHARS - 1) + "…" : line, ...(hint ? { hint: hint.slice(0, HIDDEN_ERROR_CHARS) } : {}) };
  }
  return { error: message.slice(0, 4000), ...(hint ? { hint } : {}) };
}

export interface Graded {
  report: GradeReport;
  /** The notebook as it ran: the submission's cells and the instructor's tests, with outputs. */
  executed: Notebook;
  graded: GradedCell[];
}

/**
 * Grades one submission against the instructor's source, in the sandbox. Reads the submission,
 * never writes it: the sandbox gets a private copy.
 */
export async function gradeSubmission(submissionPath: string, source: Notebook, options: GradeOptions): Promise<Graded> {
  const t0 = performance.now();
  const submission = readNotebook(submissionPath);
  const { notebook, graded } = mergeForGrading(source, submission);
  const privateDir = mkdtempSync(join(tmpdir(), "gradlab-grade-"));
  const timeout = options.timeout ?? 60;
  let problem: string | undefined;
  let peakMb = 0;
  try {
    copyFileSync(submissionPath, join(privateDir, basename(submissionPath)));
    const session = await SandboxSession.start({ mode: options.sandbox, privateDir, packageRoot: options.packageRoot, memoryMb: options.memoryMb ?? 2048 });
    try {
      await runNotebook(notebook, session, { timeout, continueOnError: true });
      problem = session.endReason ?? undefined;
    } finally {
      peakMb = Math.round(session.peakBytes / 2 ** 20);
      await session.close();
    }
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  } finally {
    rmSync(privateDir, { recursive: true, force: true });
  }
  const tests = graded.map((g): TestResult => {
    const cell = notebook.cells[g.index];
    const ran = !!cell && typeof cell.execution_count === "number";
    const failure = ran ? failureOf(cell!.outputs, g.hidden) : { error: `not run: ${problem ?? "the submission stopped before this test"}` };
    const passed = ran && failure === null;
    return { name: g.name, points: passed ? g.points : 0, max: g.points, passed, hidden: g.hidden, ...(failure ?? {}) };
  });
  const name = basename(submissionPath);
  return {
    report: {
      submission: name,
      student: name.replace(/\.ipynb$/, ""),
      score: tests.reduce((s, t) => s + t.points, 0),
      max: tests.reduce((s, t) => s + t.max, 0),
      tests,
      ...(problem ? { problem } : {}),
      seconds: Math.round((performance.now() - t0) / 100) / 10,
      peakMb,
    },
    executed: notebook,
    graded,
  };
}

/** Grades many submissions, a few at a time (one sandbox each). A failure is that submission's, never the run's. */
export async function gradeAll(paths: string[], source: Notebook, options: GradeOptions & { parallel?: number }, onDone?: (g: Graded) => void): Promise<Graded[]> {
  const results = new Array<Graded>(paths.length);
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const i = next++;
      try {
        results[i] = await gradeSubmission(paths[i]!, source, options);
      } catch (e) {
        const name = basename(paths[i]!);
        results[i] = {
          report: { submission: name, student: name.replace(/\.ipynb$/, ""), score: 0, max: 0, tests: [], problem: (e as Error).message, seconds: 0, peakMb: 0 },
          executed: { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 },
          graded: [],
        };
      }
      onDone?.(results[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? availableParallelism()) }, worker));
  return results;
}

export function formatReport(r: GradeReport): string {
  const w = Math.max(4, ...r.tests.map((t) => t.name.length + (t.hidden ? 9 : 0)));
  const lines = [`${r.submission}`, `  ${"test".padEnd(w)}  points  result`];
  for (const t of r.tests) {
    const name = t.name + (t.hidden ? " (hidden)" : "");
    lines.push(`  ${name.padEnd(w)}  ${`${t.points}/${t.max}`.padStart(6)}  ${t.passed ? "passed" : `FAILED: ${t.error}`}`);
    if (!t.passed && t.hint) lines.push(`  ${"".padEnd(w)}          hint: ${t.hint}`);
  }
  if (r.problem) lines.push(`  stopped: ${r.problem}`);
  lines.push(`  score: ${r.score}/${r.max}`);
  return lines.join("\n");
}
