// `gradlab grade`, `gradlab handout` and `gradlab collect`: the teacher's side of an assignment.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, join } from "node:path";
import { countOption, parseCommand, secondsOption, UsageError } from "../cli/args.js";
import { NotebookError, readNotebook } from "../notebook/nbformat.js";
import { packageRoot } from "../paths.js";
import { collect, findStudents, handout, type StudentSource } from "./classroom.js";
import { formatReport, gradeAll } from "./grade.js";
import { writeGradebook, type Collected } from "./gradebook.js";
import { bwrapWorks, describeSandbox, type SandboxMode } from "./sandbox.js";

type Classroom = "grade" | "handout" | "collect";

const STUDENT_OPTIONS = {
  homes: { type: "string", multiple: true },
  "homes-in": { type: "string" },
  hub: { type: "string" },
  token: { type: "string" },
  "home-template": { type: "string" },
  dir: { type: "string" },
} as const;

export async function classroomCommand(command: Classroom, args: string[], _runner: string[]): Promise<number> {
  const log = (line: string): void => void process.stderr.write(line + "\n");
  try {
    if (command === "grade") return await gradeCommand(args, log);
    if (command === "handout") return await handoutCommand(args, log);
    return await collectCommand(args, log);
  } catch (error) {
    if (error instanceof NotebookError) throw new UsageError(`gradlab ${command}: ${error.message}`);
    throw error;
  }
}

function studentSource(command: Classroom, v: { homes?: string[]; "homes-in"?: string; hub?: string; token?: string; "home-template"?: string }): StudentSource {
  if (!v.homes?.length && !v["homes-in"] && !v.hub) throw new UsageError(`gradlab ${command}: say where the students are: --homes DIR…, --homes-in PARENT or --hub URL --token T (see gradlab ${command} --help)`);
  if (v.hub && !v.token) throw new UsageError(`gradlab ${command}: --hub needs --token (an admin token of the hub)`);
  return {
    homes: v.homes,
    homesIn: v["homes-in"],
    hub: v.hub ? { url: v.hub, token: v.token!, homeTemplate: v["home-template"] ?? "/home/{username}" } : undefined,
  };
}

async function handoutCommand(args: string[], log: (s: string) => void): Promise<number> {
  const { values, positionals } = parseCommand("handout", args, STUDENT_OPTIONS);
  if (positionals.length !== 1) throw new UsageError("gradlab handout: name one source notebook (see gradlab handout --help)");
  const students = await findStudents(studentSource("handout", values));
  if (students.length === 0) throw new UsageError("gradlab handout: no students found there");
  const dir = values.dir ?? "assignments";
  const r = handout(positionals[0]!, students, dir);
  const name = basename(positionals[0]!);
  log(`gradlab handout: ${name} → ${r.written.length} student(s)${r.kept.length ? `; ${r.kept.length} already had it and kept theirs (${r.kept.map((s) => s.name).join(", ")})` : ""}`);
  for (const f of r.failed) log(`gradlab handout: ${f.student.name}: ${f.error}`);
  return r.failed.length ? 1 : 0;
}

async function collectCommand(args: string[], log: (s: string) => void): Promise<number> {
  const { values, positionals } = parseCommand("collect", args, { ...STUDENT_OPTIONS, output: { type: "string", short: "o" }, due: { type: "string" } });
  if (positionals.length !== 1 || !values.output) throw new UsageError("gradlab collect: usage: gradlab collect NAME.ipynb --homes… -o FOLDER (see gradlab collect --help)");
  const due = values.due ? new Date(values.due) : null;
  if (due && Number.isNaN(due.getTime())) throw new UsageError(`gradlab collect: --due ${JSON.stringify(values.due)} is not a date (use ISO 8601, e.g. 2026-12-10T23:59)`);
  const students = await findStudents(studentSource("collect", values));
  const name = basename(positionals[0]!);
  const r = collect(name, students, values.dir ?? "assignments", values.output, due);
  const handed = r.collected.filter((c) => c.file);
  const late = handed.filter((c) => c.late).map((c) => c.student);
  const missing = r.collected.filter((c) => !c.file).map((c) => c.student);
  log(`gradlab collect: ${handed.length} of ${students.length} handed in ${name} → ${values.output}`);
  if (late.length) log(`gradlab collect: late: ${late.join(", ")}`);
  if (missing.length) log(`gradlab collect: missing: ${missing.join(", ")}`);
  for (const p of r.problems) log(`gradlab collect: ${p}`);
  return 0;
}

function chooseSandbox(asked: string | undefined, log: (s: string) => void): SandboxMode {
  const mode = asked ?? "auto";
  if (mode !== "auto" && mode !== "bwrap" && mode !== "node") throw new UsageError(`gradlab grade: --sandbox must be auto, bwrap or node, got ${JSON.stringify(mode)}`);
  if (mode === "node") return "node";
  if (bwrapWorks()) return "bwrap";
  if (mode === "bwrap") throw new UsageError("gradlab grade: bubblewrap (bwrap) is not installed or cannot create namespaces here; install it (apt-get install bubblewrap) or use --sandbox node");
  log("gradlab grade: bubblewrap (bwrap) is not available: submissions run under Node's permission model only, which does not block the network (install bubblewrap for the full sandbox)");
  return "node";
}

async function gradeCommand(args: string[], log: (s: string) => void): Promise<number> {
  const { values, positionals } = parseCommand("grade", args, {
    source: { type: "string" }, gradebook: { type: "string" }, json: { type: "boolean" }, timeout: { type: "string" },
    parallel: { type: "string" }, memory: { type: "string" }, sandbox: { type: "string" },
  });
  if (positionals.length === 0 || !values.source) throw new UsageError("gradlab grade: usage: gradlab grade SUBMISSION|FOLDER… --source SOURCE (see gradlab grade --help)");
  const parallel = countOption("grade", "parallel", values.parallel, availableParallelism());
  const memoryMb = countOption("grade", "memory", values.memory, 2048);
  const timeout = secondsOption("grade", "timeout", values.timeout, 60);
  const source = readNotebook(values.source);
  const collected: Collected[] = [];
  const paths: string[] = [];
  for (const p of positionals) {
    if (!existsSync(p)) throw new UsageError(`gradlab grade: ${p}: no such file or folder`);
    if (!statSync(p).isDirectory()) {
      paths.push(p);
      continue;
    }
    paths.push(...readdirSync(p).filter((n) => n.endsWith(".ipynb")).sort().map((n) => join(p, n)));
    // A folder made by gradlab collect says who is late or missing.
    const record = join(p, "collected.json");
    if (existsSync(record)) collected.push(...(JSON.parse(readFileSync(record, "utf8")) as { students: Collected[] }).students);
  }
  if (paths.length === 0 && collected.length === 0) throw new UsageError("gradlab grade: no .ipynb submissions found");
  const sandbox = chooseSandbox(values.sandbox, log);
  log(`gradlab grade: ${paths.length} submission(s), ${parallel} at a time, sandbox: ${describeSandbox(sandbox)}`);
  const graded = await gradeAll(paths, source, { timeout, memoryMb, sandbox, packageRoot: packageRoot(), parallel }, (g) => {
    log(`gradlab grade: ${g.report.student}: ${g.report.score}/${g.report.max}${g.report.problem ? ` (stopped: ${g.report.problem})` : ""}`);
  });
  if (values.gradebook) {
    const rows = writeGradebook(values.gradebook, graded, collected);
    const missing = rows.filter((r) => r.status === "missing").length;
    log(`gradlab grade: gradebook → ${join(values.gradebook, "gradebook.csv")} (${rows.length} students${missing ? `, ${missing} missing` : ""}), feedback → ${join(values.gradebook, "feedback")}/`);
  }
  const reports = graded.map((g) => g.report);
  if (values.json) process.stdout.write(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + "\n");
  else if (!values.gradebook) for (const r of reports) process.stdout.write(formatReport(r) + "\n");
  return 0;
}
