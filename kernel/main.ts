// `gradlab kernel --connection-file F`: start-up. The socket worker starts first (it binds and
// loads ZeroMQ on the other core) while this thread loads TypeScript and the library.
import { createRequire } from "node:module";
import { Comms } from "./comm.js";
import { Displays } from "./display/api.js";
import { captureProcessStreams, createCellConsole } from "./display/console.js";
import { Outputs } from "./display/outputs.js";
import { Engine } from "./engine/engine.cjs";
import { loadTslab, type LoadedTslab } from "./engine/ts-patch.cjs";
import { enginePaths, nodeTypesPath, ownTypeRoots } from "./engine-paths.js";
import { runtimeError } from "./exec/errors.js";
import { Executor } from "./exec/executor.js";
import { Interrupts } from "./exec/interrupt.js";
import { GLOBAL_DECLARATIONS, installGlobals, installInterruptChecks } from "./globals.js";
import { kernelInfo, packageVersion } from "./handlers/kernel-info.js";
import { History } from "./history.js";
import { Kernel } from "./kernel.js";
import { installWidgetHost } from "./widgets.js";
import { kernelLog, trace } from "./log.js";
import { packageRoot, stateDir } from "./paths.js";
import { importLibrary, libraryPaths, prefetchAdapter, type Library } from "./preload.js";
import { Stdin } from "./stdin.js";
import type { KernelWire } from "./wire/wire.js";
import type { EarlyWire } from "./wire/early.js";
import { isLean } from "./lean.js";

const require = createRequire(import.meta.url);
export { enginePaths, nodeTypesPath };

export interface StartOptions {
  /** Sockets opened early (see wire/early.ts). */
  wire: EarlyWire;
  /** TypeScript already loaded (from a start-up snapshot). */
  tslab?: LoadedTslab;
  pinnedFiles?: EngineConfigPinned;
}

type EngineConfigPinned = ConstructorParameters<typeof Engine>[1]["pinnedFiles"];

export interface PreparedEngine {
  engine: Engine;
  library: Library;
}

/** TypeScript and the library, loaded side by side (the slow part of start-up). */
export async function prepareEngine(options: { tslab?: LoadedTslab; pinnedFiles?: EngineConfigPinned } = {}): Promise<PreparedEngine> {
  await prefetchAdapter();
  const importing = importLibrary();
  const tslab = options.tslab ?? loadTslab(enginePaths(), require);
  trace("TypeScript loaded");
  const imported = await importing;
  trace("library imported");
  // The backend (e.g. a WebGPU adapter) is now starting on its own threads while this
  // thread builds the TypeScript program.
  const engine = new Engine(tslab, {
    cwd: process.cwd(),
    library: libraryPaths(),
    runtimeNames: Object.keys(imported.namespace ?? {}),
    nodeTypes: nodeTypesPath(),
    ownTypeRoots: ownTypeRoots(),
    pinnedFiles: options.pinnedFiles,
    globalDeclarations: GLOBAL_DECLARATIONS,
  });
  trace("TypeScript program ready");
  const library: Library = { ...imported, backend: await imported.backend };
  trace("backend ready");
  return { engine, library };
}

/**
 * The kernel proper on a given transport: executor, displays, stdin, comms and history, with
 * the library's names as globals and the cells' console. Shared by `gradlab kernel` (sockets)
 * and `gradlab run` (in-process loopback), so both run cells the same way.
 */
export function assembleKernel(wire: KernelWire, { engine, library: loaded }: PreparedEngine): Kernel {
  const interrupts = new Interrupts(() => wire.interruptCount());
  // After start-up, so that the watcher's thread does not compete with it for the two cores. A
  // lean kernel keeps the process's own SIGINT listener instead (lean.ts).
  if (!isLean()) setTimeout(() => interrupts.watchSignals(), 500).unref();
  const outputs = new Outputs(
    (message, parent) => wire.send("iopub", message.msgType, message.content, parent, [], message.metadata, message.buffers),
    (error) => ({ msgType: "error", content: { ...runtimeError(error) } }),
  );
  const executor = new Executor(engine, interrupts, process.cwd());
  const displays = new Displays(outputs);
  const stdin = new Stdin(wire, interrupts, () => outputs.drain());
  const comms = new Comms((message) => outputs.push(message));
  const history = new History(stateDir());

  if (loaded.namespace) {
    executor.modules.provide("gradlab", loaded.namespace);
    for (const [name, value] of Object.entries(loaded.namespace)) {
      executor.exports[name] = value;
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    }
  }
  installGlobals(displays, stdin, comms);
  installInterruptChecks(interrupts, loaded.namespace);
  (globalThis as Record<symbol, unknown>)[Symbol.for("gradlab.displaySink")] = displays.sink();
  Object.defineProperty(globalThis, "console", { value: createCellConsole(outputs), writable: true, configurable: true });
  captureProcessStreams(outputs);

  const info = kernelInfo({
    version: packageVersion(packageRoot()),
    tsVersion: engine.tsVersion,
    backend: loaded.backend,
    preloaded: engine.libraryExports.length,
  });
  const kernel = new Kernel({ wire, engine, executor, outputs, displays, stdin, interrupts, history, comms, info });
  installWidgetHost(comms, outputs, (task) => kernel.schedule(task));
  process.on("uncaughtException", (error) => kernel.escaped(error));
  process.on("unhandledRejection", (reason) => kernel.escaped(reason));
  return kernel;
}

export async function startKernel(options: StartOptions): Promise<void> {
  trace("kernel modules loaded");
  const { wire } = options.wire;
  const wireReady = wire.start();
  // A connection file the sockets cannot use ends the kernel now, not once TypeScript has loaded.
  wireReady.catch((error: unknown) => {
    kernelLog(`cannot open the kernel's sockets: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
  const prepared = await prepareEngine(options);
  const { engine } = prepared;
  const kernel = assembleKernel(wire, prepared);

  await wireReady;
  trace("socket worker ready");
  options.wire.attach({
    request: (request) => kernel.receive(request),
    shutdown: () => {
      engine.close();
      void wire.close().then(() => process.exit(0));
    },
  });
}
