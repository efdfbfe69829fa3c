import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseCommand, secondsOption, UsageError } from "../cli/args.js";
import { assign } from "../grading/assign.js";
import { readNotebook, writeNotebook } from "../notebook/nbformat.js";
import { runNotebook } from "./run-notebook.js";
import type { Session } from "./session.js";
import { ServerSession } from "./server-session.js";

export type SessionFactory = () => Promise<Session>;

/**
 * `gradlab run NB… [-o OUT | --inplace] [--timeout S] [--continue-on-error] [--server URL --token T]`.
 * Exit 0 when every cell ran, 1 when one failed, 2 for bad usage or unreadable notebooks.
 */
export async function runCommand(args: string[], inProcess: SessionFactory, log = (s: string) => console.error(s)): Promise<number> {
  const { values: v, positionals } = parseCommand("run", args, {
    output: { type: "string", short: "o" }, inplace: { type: "boolean" }, timeout: { type: "string" },
    "continue-on-error": { type: "boolean" }, server: { type: "string" }, token: { type: "string" },
  });
  if (positionals.length === 0) throw new UsageError("gradlab run: name at least one notebook (see gradlab run --help)");
  const out = v.output;
  const inplace = v.inplace === true;
  if (out && inplace) throw new UsageError("gradlab run: give -o OUT or --inplace, not both");
  if (out && positionals.length > 1 && !safeIsDir(out)) throw new UsageError("gradlab run: with several notebooks, -o must name an existing folder");
  const server = v.server;
  const token = v.token ?? "";
  const timeout = secondsOption("run", "timeout", v.timeout, 600);
  const p = { positional: positionals };
  const notebooks = p.positional.map((f) => ({ path: f, nb: readNotebook(f) }));
  if (notebooks.length > 1 && !server) return runEachInItsOwnProcess(args, p.positional, log);
  let failures = 0;
  for (const { path, nb } of notebooks) {
    const session = server ? await ServerSession.start(server, token) : await inProcess();
    try {
      log(`gradlab run: ${path}`);
      const report = await runNotebook(nb, session, { timeout, continueOnError: v["continue-on-error"] === true, log });
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
  const { values, positionals } = parseCommand("assign", args, { output: { type: "string", short: "o" } });
  const out = values.output;
  if (positionals.length !== 1 || !out) throw new UsageError("gradlab assign: usage: gradlab assign SOURCE -o STUDENT (see gradlab assign --help)");
  if (resolve(out) === resolve(positionals[0]!)) throw new UsageError("gradlab assign: the student copy must not overwrite the source");
  const r = assign(positionals[0]!, out);
  log(`gradlab assign: ${out}: ${r.cells} cells, solutions replaced by stubs, ${r.removedHidden} hidden-test cell(s) removed`);
  return 0;
}
