// Entry script of `node --snapshot-blob F --build-snapshot …` (see launch.ts: buildSnapshot).
// Node lets a snapshot entry require only built-in modules, so the kernel's CommonJS loader is
// compiled by hand first and then loads the engine. The restored process runs `restore`.
// Node runs this file without `exports` and from a copy, hence GRADLAB_SNAPSHOT_DIR.
import fs = require("node:fs");
import path = require("node:path");
import url = require("node:url");
import v8 = require("node:v8");
import vm = require("node:vm");
import type { CommonJsLoader } from "../engine/cjs-loader.cjs";
import type { PreparedState, SnapshotInputs } from "./prepare.cjs";
import type * as Prepare from "./prepare.cjs";
import type * as Key from "./key.cjs";
import type * as Spawn from "../wire/spawn.cjs";
import type * as Bundles from "./bundles.cjs";

function compileByHand<T>(file: string): T {
  const source = fs.readFileSync(file, "utf8");
  const fn = vm.compileFunction(source, ["exports", "require", "module", "__filename", "__dirname"], { filename: file }) as (e: unknown, r: NodeJS.Require, m: { exports: unknown }, f: string, d: string) => void;
  const module = { exports: {} as unknown };
  fn(module.exports, require, module, file, path.dirname(file));
  return module.exports as T;
}

/** Exit code telling the launcher to start the kernel without the snapshot. */
const UNUSABLE = 75;

const here = process.env.GRADLAB_SNAPSHOT_DIR ?? __dirname;
const inputs = JSON.parse(process.env.GRADLAB_SNAPSHOT_INPUTS ?? "null") as SnapshotInputs | null;
if (!inputs) throw new Error("GRADLAB_SNAPSHOT_INPUTS is not set");
const { CommonJsLoader: Loader } = compileByHand<{ CommonJsLoader: typeof CommonJsLoader }>(path.join(here, "..", "engine", "cjs-loader.cjs"));
const loader = new Loader({ provided: new Map(), builtinRequire: require });
const { prepare, validPinnedFiles } = loader.load(path.join(here, "prepare.cjs")) as typeof Prepare;
const { snapshotKey } = loader.load(path.join(here, "key.cjs")) as typeof Key;
const { spawnWireWorker } = loader.load(path.join(here, "..", "wire", "spawn.cjs")) as typeof Spawn;
const { currentBundle } = loader.load(path.join(here, "bundles.cjs")) as typeof Bundles;
const state: PreparedState = prepare(inputs, require);

/**
 * The kernel's ES modules import the engine's CommonJS files (engine.cjs, …) through Node's
 * require, which would load and compile second copies from disk. Listed in require's cache,
 * the snapshot's own copies are used instead: already compiled, warmed up by the snapshot's
 * cells, and the same instances that built the pinned declaration files.
 */
function shareWithRequire(modules: Iterable<[string, unknown]>): number {
  const Module = require("node:module") as unknown as { new (id: string): NodeJS.Module; _cache: Record<string, NodeJS.Module> };
  let shared = 0;
  for (const [file, exports] of modules) {
    const module = new Module(file);
    module.filename = file;
    module.exports = exports;
    module.loaded = true;
    Module._cache[file] = module;
    shared++;
  }
  return shared;
}

function traceStep(step: string): void {
  if (process.env.GRADLAB_TRACE) process.stderr.write(`[gradlab kernel] ${performance.now().toFixed(1)} ms: ${step}\n`);
}

function restore(): void {
  traceStep("restored from the snapshot");
  const connectionFile = process.argv[1];
  // Importing from a restored process needs an experimental vm option; its warning would only
  // clutter the Jupyter log.
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes("USE_MAIN_CONTEXT_DEFAULT_LOADER")) return;
    (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
  // Node 20.12+; older Nodes cannot import modules from a restored process.
  const loaderOption = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (!connectionFile || !loaderOption) process.exit(UNUSABLE);
  // Built from other code than what is installed now: the launcher starts the kernel normally.
  if (snapshotKey(state.inputs, state.inputs.codeDirs) !== state.key) process.exit(UNUSABLE);
  const { files, stale } = validPinnedFiles(state.pinned);
  traceStep("snapshot checked");
  // The sockets bind while the kernel's modules load: a frontend that connected before they were
  // bound retries only every 100–200 ms (ZeroMQ's reconnect interval), so late binding costs that.
  const workerBundle = currentBundle(path.join(path.dirname(state.inputs.wireWorker), "worker-bundle.cjs"));
  const wireWorker = spawnWireWorker(connectionFile, workerBundle ?? state.inputs.wireWorker, require);
  traceStep(`socket worker started${workerBundle ? " (bundled)" : ""}`);
  traceStep(`${shareWithRequire(loader.modules())} CommonJS modules shared with require`);
  const bundle = currentBundle(state.inputs.kernelBundle);
  traceStep(bundle ? "importing the kernel bundle" : "importing the kernel modules (no current bundle)");
  // A restored process has no `import()` of its own; a script compiled now can use Node's loader.
  const importer = new vm.Script(`import(${JSON.stringify(url.pathToFileURL(bundle ?? state.inputs.kernelEntry).href)})`, {
    importModuleDynamically: loaderOption,
  });
  (importer.runInThisContext() as Promise<{ startFromSnapshot(options: unknown): Promise<void> }>)
    .then((entry) => entry.startFromSnapshot({ connectionFile, tslab: state.tslab, pinnedFiles: files, stalePinnedFiles: stale, wireWorker }))
    .catch((error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
      process.stderr.write(`[gradlab kernel] start from snapshot failed: ${text}\n`);
      exitWithSocketsClosed(wireWorker, UNUSABLE);
    });
}

/**
 * Exit code 75 must reach the launcher, which then starts the kernel normally; exiting while the
 * worker's sockets are open can end in an abort inside ZeroMQ's teardown instead.
 */
function exitWithSocketsClosed({ port }: Spawn.WireWorker, code: number): void {
  process.exitCode = code;
  port.on("message", (event: { type?: string }) => {
    if (event.type === "closed" || event.type === "fatal") process.exit(code);
  });
  port.postMessage({ type: "close" });
  setTimeout(() => process.exit(code), 2000).unref();
}

v8.startupSnapshot.setDeserializeMainFunction(restore);
