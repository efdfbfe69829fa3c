import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { assign } from "../grading/assign.js";
import { formatReport, gradeAll } from "../grading/grade.js";
import { readNotebook, writeNotebook } from "../notebook/nbformat.js";
import { runNotebook } from "./run-notebook.js";
import type { Session } from "./session.js";
import { ServerSession } from "./server-session.js";

export class UsageError extends Error {
  override name = "UsageError";
}

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

/** `--name value`, `--name=value` and bare `--flag`; the flags a command takes are listed. */
function parse(args: string[], valued: string[], bare: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("-")) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    if (valued.includes(name)) {
      const v = inline ?? args[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${name} needs a value`);
      flags.set(name, v);
    } else if (bare.includes(name)) flags.set(name, true);
    else throw new UsageError(`unknown option ${name}`);
  }
  return { positional, flags };
}

function seconds(v: string | true | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!(n > 0)) throw new UsageError(`--timeout must be a number of seconds > 0, got ${String(v)}`);
  return n;
}

export type SessionFactory = () => Promise<Session>;

/**
 * `gradlab run NB… [-o OUT | --inplace] [--timeout S] [--continue-on-error] [--server URL --token T]`.
 * Exit 0 when every cell ran, 1 when one failed, 2 for bad usage or unreadable notebooks.
 */
export async function runCommand(args: string[], inProcess: SessionFactory, log = (s: string) => console.error(s)): Promise<number> {
  const p = parse(args, ["-o", "--output", "--timeout", "--server", "--token"], ["--inplace", "--continue-on-error"]);
  if (p.positional.length === 0) throw new UsageError("gradlab run: name at least one notebook");
  const out = (p.flags.get("-o") ?? p.flags.get("--output")) as string | undefined;
  const inplace = p.flags.has("--inplace");
  if (out && inplace) throw new UsageError("gradlab run: give -o OUT or --inplace, not both");
  if (out && p.positional.length > 1 && !(safeIsDir(out))) throw new UsageError("gradlab run: with several notebooks, -o must name an existing folder");
  const server = p.flags.get("--server") as string | undefined;
  const token = (p.flags.get("--token") as string | undefined) ?? "";
  const timeout = seconds(p.flags.get("--timeout"), 600);
  const notebooks = p.positional.map((f) => ({ path: f, nb: readNotebook(f) }));
  if (notebooks.length > 1 && !server) return runEachInItsOwnProcess(args, p.positional, log);
  let failures = 0;
  for (const { path, nb } of notebooks) {
    const session = server ? await ServerSession.start(server, token) : await inProcess();
    try {
      log(`gradlab run: ${path}`);
      const report = await runNotebook(nb, session, { timeout, continueOnError: p.flags.has("--continue-on-error"), log });
      const target = inplace ? path : out ? (safeIsDir(out) ? join(out, basename(path)) : out) : null;
      if (target) writeNotebook(target, nb);
      log(`gradlab run: ${path}: ${report.cells} cells in ${report.seconds.toFixed(1)} s${report.failed.length ? `, ${report.failed.length} failed` : ", all ok"}${target ? ` → ${target}` : ""}`);
      if (report.failed.length) failures++;
    } finally {
      await session.close();
    }
  }
  return failures ? 1 : 0;
}

/**
 * One kernel per process: with several notebooks, each runs in a child `gradlab run`, so no
 * declaration or global leaks from one notebook into the next.
 */
async function runEachInItsOwnProcess(args: string[], notebooks: string[], log: (s: string) => void): Promise<number> {
  const flags = args.filter((a) => !notebooks.includes(a));
  let failures = 0;
  for (const nb of notebooks) {
    const code = await new Promise<number>((resolveExit) => {
      const child = spawn(process.execPath, [process.argv[1]!, "run", nb, ...flags], { stdio: ["ignore", "inherit", "inherit"] });
      child.on("exit", (c) => resolveExit(c ?? 1));
    });
    if (code !== 0) {
      failures++;
      if (code === 2) log(`gradlab run: ${nb} could not be run (see above)`);
    }
  }
  return failures ? 1 : 0;
}

function safeIsDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** `gradlab assign SOURCE -o STUDENT` */
export function assignCommand(args: string[], log = (s: string) => console.error(s)): number {
  const p = parse(args, ["-o", "--output"], []);
  const out = (p.flags.get("-o") ?? p.flags.get("--output")) as string | undefined;
  if (p.positional.length !== 1 || !out) throw new UsageError("gradlab assign SOURCE -o STUDENT");
  if (resolve(out) === resolve(p.positional[0]!)) throw new UsageError("gradlab assign: the student copy must not overwrite the source");
  const r = assign(p.positional[0]!, out);
  log(`gradlab assign: ${out}: ${r.cells} cells, solutions replaced by stubs, ${r.removedHidden} hidden-test cell(s) removed`);
  return 0;
}

/** `gradlab grade SUBMISSION|FOLDER --source SOURCE [--json] [--timeout S]` */
export async function gradeCommand(args: string[], runner: string[], print = (s: string) => console.log(s)): Promise<number> {
  const p = parse(args, ["--source", "--timeout", "--parallel"], ["--json"]);
  const source = p.flags.get("--source") as string | undefined;
  if (p.positional.length === 0 || !source) throw new UsageError("gradlab grade SUBMISSION… --source SOURCE [--json]");
  const src = readNotebook(source);
  const paths = p.positional.flatMap((f) =>
    safeIsDir(f) ? readdirSync(f).filter((n) => n.endsWith(".ipynb")).sort().map((n) => join(f, n)) : [f],
  );
  if (paths.length === 0) throw new UsageError("gradlab grade: no .ipynb submissions found");
  const parallel = p.flags.has("--parallel") ? Number(p.flags.get("--parallel")) : 2;
  const reports = await gradeAll(paths, src, { timeout: seconds(p.flags.get("--timeout"), 60), runner, parallel });
  if (p.flags.has("--json")) print(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2));
  else for (const r of reports) print(formatReport(r));
  return 0;
}
