// The `gradlab` command (bin/gradlab.js imports this file): the kernel's subcommands.
import { fileURLToPath } from "node:url";
import path from "node:path";
import { parseCommand, UsageError } from "./cli/args.js";
import { helpFor, isCommand, overview, type Command } from "./cli/help.js";
import { install, type InstallTarget } from "./install.js";
import { trace } from "./log.js";
import { packageVersion } from "./handlers/kernel-info.js";
import { installId, packageRoot } from "./paths.js";
import { applyKernelV8Flags } from "./v8-flags.js";

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === "--version" || command === "-V" || command === "version") {
    process.stdout.write(`gradlab ${packageVersion(packageRoot())}\n`);
    return 0;
  }
  if (command === undefined) {
    process.stderr.write(overview(packageVersion(packageRoot())) + "\n");
    return 2;
  }
  if (command === "-h" || command === "--help" || command === "help") {
    const about = args[0];
    process.stdout.write((isCommand(about) ? helpFor(about) : overview(packageVersion(packageRoot()))) + "\n");
    return 0;
  }
  // Internal: what `gradlab grade` starts inside its sandbox, one per submission.
  if (command === "grade-worker") return (await import("./grading/worker.js")).gradeWorker();
  if (!isCommand(command)) {
    process.stderr.write(`gradlab: unknown command ${JSON.stringify(command)} (see gradlab --help)\n`);
    return 2;
  }
  const own = args.includes("--") ? args.slice(0, args.indexOf("--")) : args;
  if (own.includes("--help") || own.includes("-h")) {
    process.stdout.write(helpFor(command) + "\n");
    return 0;
  }
  try {
    return await dispatch(command, args);
  } catch (error) {
    // Bad usage is one line and exit 2, never a stack trace.
    if (error instanceof UsageError) {
      process.stderr.write(error.message + "\n");
      return 2;
    }
    throw error;
  }
}

async function dispatch(command: Command, args: string[]): Promise<number> {
  switch (command) {
    case "install":
      return runInstall(args);
    case "kernel":
      return runKernel(args);
    case "snapshot":
      return runSnapshot(args);
    case "lab":
      return (await import("./lab/launch.js")).lab(args);
    case "run":
    case "assign":
      return notebookCommand(command, args);
    case "grade":
    case "handout":
    case "collect":
      return (await import("./grading/command.js")).classroomCommand(command, args, [process.execPath, path.join(packageRoot(), "bin", "gradlab.js")]);
    case "book":
      return runBook(args);
    case "hub-config":
      return (await import("./hub/config.js")).hubConfigCommand(args);
  }
}

function runInstall(args: string[]): number {
  const { values } = parseCommand("install", args, {
    user: { type: "boolean" }, "sys-prefix": { type: "boolean" }, system: { type: "boolean" }, prefix: { type: "string" },
  }, false);
  const chosen = (["user", "sys-prefix", "system", "prefix"] as const).filter((k) => values[k] !== undefined);
  if (chosen.length > 1) throw new UsageError(`gradlab install: choose one of --${chosen.join(", --")} (see gradlab install --help)`);
  const target: InstallTarget = values.prefix !== undefined ? { kind: "prefix", dir: values.prefix }
    : values.system ? { kind: "system" }
    : values["sys-prefix"] ? { kind: "sys-prefix" }
    : values.user ? { kind: "user" }
    : process.getuid?.() === 0 ? { kind: "system" } : { kind: "user" };
  const root = packageRoot();
  try {
    const dir = install({ target, bin: path.join(root, "bin"), id: installId(), logos: path.join(root, "kernel", "logos") });
    process.stdout.write(`Installed the gradlab kernelspec in ${dir}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`gradlab install: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function runKernel(args: string[]): Promise<number> {
  const { values } = parseCommand("kernel", args, { "connection-file": { type: "string", short: "f" } }, false);
  const file = values["connection-file"];
  if (!file) throw new UsageError("gradlab kernel: --connection-file FILE is required (Jupyter passes it)");
  const connectionFile = path.resolve(file);
  const snapshots = process.env.GRADLAB_NO_SNAPSHOT ? null : await import("./snapshot/launch.js");
  const blob = snapshots?.snapshotPath();
  if (snapshots && blob) {
    trace("starting from the snapshot");
    const code = await snapshots.runFromSnapshot(blob, connectionFile);
    // Either way nothing has run yet: start normally (and the snapshot is rebuilt).
    if (code !== snapshots.SNAPSHOT_UNUSABLE && code !== snapshots.SNAPSHOT_REFUSED) return code;
  }
  applyKernelV8Flags();
  const { openWire } = await import("./wire/early.js");
  const wire = openWire(connectionFile);
  const { startKernel } = await import("./main.js");
  await startKernel({ wire });
  snapshots?.rebuildSnapshotLater();
  // The kernel keeps running on its sockets; the process ends on shutdown_request.
  return -1;
}

/** run/assign: unreadable notebooks exit 2 with one clear line, never a stack trace. */
async function notebookCommand(command: "run" | "assign", args: string[]): Promise<number> {
  // Cells take over process.stdout/stderr once a kernel runs here; the runner logs past them.
  const write = process.stderr.write.bind(process.stderr);
  const log = (line: string): void => void write(line + "\n");
  const { runCommand, assignCommand } = await import("./run/commands.js");
  const { NotebookError } = await import("./notebook/nbformat.js");
  const { CommandError } = await import("./run/session.js");
  try {
    if (command === "assign") return assignCommand(args, log);
    const { InProcessSession } = await import("./run/in-process.js");
    const code = await runCommand(args, () => InProcessSession.start(), log);
    // The in-process kernel holds handles (GPU device, worker threads, timers) a finished run
    // does not need: end the process rather than wait for them.
    process.exit(code);
  } catch (error) {
    if (error instanceof CommandError) {
      log(`gradlab ${command}: ${error.message}`);
      process.exit(1);
    }
    if (error instanceof NotebookError) {
      log(`gradlab ${command}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

async function runBook(args: string[]): Promise<number> {
  const { bookCommand } = await import("./book/command.js");
  const { NotebookError } = await import("./notebook/nbformat.js");
  const log = (line: string): void => void process.stderr.write(line + "\n");
  try {
    return await bookCommand(args, [process.execPath, path.join(packageRoot(), "bin", "gradlab.js")], packageRoot(), log);
  } catch (error) {
    if (error instanceof NotebookError) {
      log(`gradlab book: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

async function runSnapshot(args: string[]): Promise<number> {
  const quiet = parseCommand("snapshot", args, { quiet: { type: "boolean" } }, false).values.quiet === true;
  const { buildSnapshot } = await import("./snapshot/launch.js");
  const { GLOBAL_DECLARATIONS } = await import("./globals.js");
  const result = buildSnapshot(GLOBAL_DECLARATIONS);
  if (!quiet || !result.ok) (result.ok ? process.stdout : process.stderr).write(`${result.ok ? "Built the start-up snapshot" : "No snapshot built"}: ${result.message}\n`);
  return result.ok ? 0 : 1;
}

// Run when executed directly (node dist/kernel/cli.js …) as well as through bin/gradlab.js.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => {
    if (code >= 0) process.exitCode = code;
  }, (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
