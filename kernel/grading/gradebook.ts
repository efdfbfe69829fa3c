// What grading leaves for the teacher and the students: a gradebook (CSV for a spreadsheet, JSON
// for scripts) and one feedback notebook per student with each test's result and hint.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.js";
import { newCellId, toSourceLines, writeNotebook, type Cell, type Notebook } from "../notebook/nbformat.js";
import type { Graded, GradeReport } from "./grade.js";

/** What `gradlab collect` recorded of each student (collected.json beside the submissions). */
export interface Collected {
  student: string;
  /** The copy in the submissions folder, or null when the student handed nothing in. */
  file: string | null;
  /** When the student last saved it (ISO 8601). */
  submittedAt: string | null;
  late: boolean;
}

export interface GradebookRow {
  student: string;
  status: "graded" | "incomplete" | "missing";
  score: number;
  max: number;
  late: boolean;
  submittedAt: string | null;
  problem: string | null;
  tests: Record<string, number>;
}

function csvField(v: string | number | boolean | null): string {
  const s = v === null ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per student: graded submissions, and students who handed nothing in (score 0). */
export function gradebookRows(reports: GradeReport[], collected: Collected[] = []): GradebookRow[] {
  const byStudent = new Map(collected.map((c) => [c.student, c]));
  const max = Math.max(0, ...reports.map((r) => r.max));
  const rows: GradebookRow[] = reports.map((r) => {
    const c = byStudent.get(r.student);
    return {
      student: r.student,
      status: r.problem ? "incomplete" : "graded",
      score: r.score,
      max: r.max,
      late: c?.late ?? false,
      submittedAt: c?.submittedAt ?? null,
      problem: r.problem ?? null,
      tests: Object.fromEntries(r.tests.map((t) => [t.name, t.points])),
    };
  });
  for (const c of collected) {
    if (!c.file && !rows.some((r) => r.student === c.student)) {
      rows.push({ student: c.student, status: "missing", score: 0, max, late: false, submittedAt: null, problem: "nothing handed in", tests: {} });
    }
  }
  return rows.sort((a, b) => a.student.localeCompare(b.student));
}

export function gradebookCsv(rows: GradebookRow[], testNames: string[]): string {
  const header = ["student", "status", "score", "max", "percent", "late", "submitted_at", ...testNames, "problem"];
  const lines = [header.map(csvField).join(",")];
  for (const r of rows) {
    const percent = r.max ? Math.round((1000 * r.score) / r.max) / 10 : 0;
    lines.push([r.student, r.status, r.score, r.max, percent, r.late, r.submittedAt, ...testNames.map((t) => r.tests[t] ?? 0), r.problem].map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
}

function markdown(text: string): Cell {
  return { id: newCellId(), cell_type: "markdown", metadata: {}, source: toSourceLines(text) };
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/**
 * The student's feedback: a summary table first, then their notebook as it was graded. Visible
 * tests keep their outputs; each hidden test becomes a line saying how it went (its code stays
 * the instructor's).
 */
export function feedbackNotebook(g: Graded): Notebook {
  const { report, executed, graded } = g;
  const rows = report.tests.map((t) => `| ${escapeCell(t.name)}${t.hidden ? " (hidden)" : ""} | ${t.points}/${t.max} | ${t.passed ? "passed" : escapeCell(`failed: ${t.error ?? ""}${t.hint ? ` — hint: ${t.hint}` : ""}`)} |`);
  const summary = [
    `# Feedback: ${report.student}`,
    "",
    `**Score: ${report.score} / ${report.max}**`,
    ...(report.problem ? ["", `The run stopped early: ${report.problem}.`] : []),
    "",
    "| test | points | result |",
    "|---|---|---|",
    ...rows,
  ].join("\n");
  const hiddenAt = new Map(graded.filter((c) => c.hidden).map((c) => [c.index, c]));
  const cells: Cell[] = [markdown(summary)];
  executed.cells.forEach((cell, i) => {
    const hidden = hiddenAt.get(i);
    if (hidden) {
      const t = report.tests.find((x) => x.name === hidden.name);
      cells.push(markdown(`**Hidden test: ${hidden.name}** — ${t?.passed ? `passed (${t.points}/${t.max})` : `failed (0/${hidden.points}): ${t?.error ?? ""}${t?.hint ? `\n\nHint: ${t.hint}` : ""}`}`));
      return;
    }
    // Instructor cells outside the tests that start with the hidden marker never reach a student.
    if (cell.cell_type === "code" && /^\s*\/\/ HIDDEN TESTS/.test(Array.isArray(cell.source) ? cell.source.join("") : cell.source)) return;
    cells.push(cell);
  });
  return { ...executed, cells };
}

/** Writes DIR/gradebook.csv, DIR/gradebook.json and DIR/feedback/STUDENT.ipynb; returns the rows. */
export function writeGradebook(dir: string, graded: Graded[], collected: Collected[] = []): GradebookRow[] {
  mkdirSync(join(dir, "feedback"), { recursive: true });
  const reports = graded.map((g) => g.report);
  const rows = gradebookRows(reports, collected);
  const testNames = [...new Set(reports.flatMap((r) => r.tests.map((t) => t.name)))];
  writeFileAtomic(join(dir, "gradebook.csv"), gradebookCsv(rows, testNames));
  writeFileAtomic(join(dir, "gradebook.json"), JSON.stringify({ generated: new Date().toISOString(), tests: testNames, students: rows, reports }, null, 2) + "\n");
  for (const g of graded) if (g.executed.cells.length) writeNotebook(join(dir, "feedback", `${g.report.student}.ipynb`), feedbackNotebook(g));
  return rows;
}
