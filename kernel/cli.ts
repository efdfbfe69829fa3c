// The `gradlab` command (bin/gradlab.js imports this file): the kernel's subcommands.
import { fileURLToPath } from "node:url";
import path from "node:path";
import { install, type InstallTarget } from "./install.js";
import { trace } from "./log.js";
import { installId, packageRoot } from "./paths.js";
import { applyKernelV8Flags } from "./v8-flags.js";

const USAGE = `usage:
  gradlab install [--user | --sys-prefix | --prefix DIR]   write the Jupyter kernelspec "gradlab"
  gradlab kernel --connection-file FILE                     run the kernel (Jupyter starts this)
  gradlab snapshot                                          build this user's start-up snapshot now
                                                            (otherwise built after the first start)
  gradlab lab [jupyter-lab options]                         JupyterLab on the lessons with this kernel
  gradlab run NB… [-o OUT | --inplace] [--timeout S] [--continue-on-error] [--server URL --token T]
                                                            execute notebooks headless; exit 1 if a cell fails
  gradlab assign SOURCE -o STUDENT                          student copy: solutions stubbed, hidden tests removed
  gradlab grade SUBMISSION|FOLDER… --source SOURCE [--json] [--timeout S] [--parallel N]
                                                            run the hidden tests and score each submission
  gradlab book [NOTEBOOK…] [-o SITE] [--timeout S]          run the lessons and write a static course site
                                                            (default: notebooks/*.ipynb → site/)`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
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
    case "grade":
      return notebookCommand(command, args);
    case "book":
      return runBook(args);
    case undefined:
    case "-h":
    case "--help":
    case "help":
      process.stdout.write(USAGE + "\n");
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`gradlab: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
      return 2;
  }
}

function runInstall(args: string[]): number {
  let target: InstallTarget = process.getuid?.() === 0 ? { kind: "system" } : { kind: "user" };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--user") target = { kind: "user" };
    else if (arg === "--sys-prefix") target = { kind: "sys-prefix" };
    else if (arg === "--prefix" && args[i + 1]) target = { kind: "prefix", dir: args[++i]! };
    else if (arg.startsWith("--prefix=")) target = { kind: "prefix", dir: arg.slice("--prefix=".length) };
    else {
      process.stderr.write(`gradlab install: unexpected argument ${JSON.stringify(arg)}\n${USAGE}\n`);
      return 2;
    }
  }
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
  const at = args.findIndex((a) => a === "--connection-file" || a === "-f");
  const file = at >= 0 ? args[at + 1] : args.find((a) => a.startsWith("--connection-file="))?.split("=", 2)[1];
  if (!file) {
    process.stderr.write(`gradlab kernel: --connection-file FILE is required\n${USAGE}\n`);
    return 2;
  }
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

/** run/assign/grade: usage and unreadable notebooks exit 2 with one clear line, never a stack trace. */
async function notebookCommand(command: "run" | "assign" | "grade", args: string[]): Promise<number> {
  // Cells take over process.stdout/stderr once a kernel runs here; the runner logs past them.
  const write = process.stderr.write.bind(process.stderr);
  const log = (line: string): void => void write(line + "\n");
  const { runCommand, assignCommand, gradeCommand, UsageError } = await import("./run/commands.js");
  const { NotebookError } = await import("./notebook/nbformat.js");
  const { CommandError } = await import("./run/session.js");
  try {
    if (command === "assign") return assignCommand(args, log);
    if (command === "grade") return await gradeCommand(args, [process.execPath, path.join(packageRoot(), "bin", "gradlab.js")]);
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
    if (error instanceof UsageError || error instanceof NotebookError) {
      log(`gradlab ${command}: ${error.message}`);
      if (error instanceof UsageError) log(USAGE);
      return 2;
    }
    throw error;
  }
}

async function runBook(args: string[]): Promise<number> {
  const { bookCommand, BookUsageError } = await import("./book/command.js");
  const { NotebookError } = await import("./notebook/nbformat.js");
  const log = (line: string): void => void process.stderr.write(line + "\n");
  try {
    return await bookCommand(args, [process.execPath, path.join(packageRoot(), "bin", "gradlab.js")], packageRoot(), log);
  } catch (error) {
    if (error instanceof BookUsageError || error instanceof NotebookError) {
      log(error.message);
      return 2;
    }
    throw error;
  }
}

async function runSnapshot(args: string[]): Promise<number> {
  const quiet = args.includes("--quiet");
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
