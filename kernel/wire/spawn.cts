// Starts the socket worker thread. CommonJS, so that a process restored from the start-up
// snapshot can start it first thing (snapshot/build-entry.cts), before the kernel's ES modules
// load: binding sooner is what lets a waiting frontend's first request arrive in time.
// Modules are required when called, never while a snapshot is built.
import type { MessagePort, Worker } from "node:worker_threads";

export interface WireWorker {
  worker: Worker;
  /** The main thread's end of the channel to the worker (see bridge.ts). */
  port: MessagePort;
  /** The kernel's session id, in the header of every message it sends. */
  session: string;
  /** Slot 0 counts interrupt requests (shared with the worker). */
  interruptCounter: Int32Array;
  /**
   * Settles if the worker fails (e.g. on an unusable connection file). Listening from the start
   * keeps such an error from being thrown before the kernel's Wire takes the worker over.
   */
  failure: Promise<Error>;
}

/** What the worker is started with (its workerData). */
export interface WorkerConfig {
  /** The connection file Jupyter wrote; the worker reads and checks it (connection.ts). */
  connectionFile: string;
  session: string;
  interruptCounter: SharedArrayBuffer;
  /** Both directions go through this port so the main thread can drain it synchronously. */
  port: MessagePort;
  /** The main thread's performance.timeOrigin, so that the worker's GRADLAB_TRACE times match. */
  traceOrigin: number;
  /** The socket relay holding Jupyter's ports (wire/relay.cts), or null to bind them here. */
  relay: RelayInfo | null;
}

export interface RelayInfo {
  /** Its folder of ipc sockets, one per channel. */
  dir: string;
  /** Its process: the kernel cannot be reached once it is gone. */
  pid: number;
}

/**
 * The relay bin/gradlab-kernel.sh started for this kernel, if any. Taken out of the environment,
 * so that nothing a cell starts mistakes it for its own.
 */
export function takeRelayFromEnv(env: NodeJS.ProcessEnv = process.env): RelayInfo | null {
  const dir = env.GRADLAB_WIRE_RELAY;
  const pid = Number(env.GRADLAB_WIRE_RELAY_PID);
  delete env.GRADLAB_WIRE_RELAY;
  delete env.GRADLAB_WIRE_RELAY_PID;
  return dir && Number.isInteger(pid) && pid > 0 ? { dir, pid } : null;
}

type RequireBuiltin = (id: string) => unknown;

/** `workerFile` is dist/kernel/wire/worker.js; the worker reads the connection file itself. */
export function spawnWireWorker(connectionFile: string, workerFile: string, requireBuiltin: RequireBuiltin = require): WireWorker {
  const threads = requireBuiltin("node:worker_threads") as typeof import("node:worker_threads");
  const { randomUUID } = requireBuiltin("node:crypto") as typeof import("node:crypto");
  const session = randomUUID();
  const interruptCounter = new Int32Array(new SharedArrayBuffer(4));
  const channel = new threads.MessageChannel();
  const workerData: WorkerConfig = {
    connectionFile,
    session,
    interruptCounter: interruptCounter.buffer as SharedArrayBuffer,
    port: channel.port2,
    traceOrigin: performance.timeOrigin,
    relay: takeRelayFromEnv(),
  };
  const worker = new threads.Worker(workerFile, {
    workerData,
    transferList: [channel.port2],
    // Otherwise the worker's output would join process.stderr, which cells take over.
    stdout: true,
    stderr: true,
  });
  const failure = new Promise<Error>((resolve) => worker.once("error", resolve));
  return { worker, port: channel.port1, session, interruptCounter, failure };
}
