// Opens the sockets before the rest of the kernel is even loaded: a frontend that tried to
// connect too early retries only every 100 ms (ZeroMQ's reconnect interval), so binding late
// costs up to that much on the first reply. Requests wait here until the kernel is ready.
import path from "node:path";
import { KERNEL_DIR } from "../kernel-dir.js";
import { currentBundle } from "../snapshot/bundles.cjs";
import { spawnWireWorker, type WireWorker } from "./spawn.cjs";
import { Wire, type IncomingRequest, type WireHandlers } from "./wire.js";

export interface EarlyWire {
  wire: Wire;
  /** Hands queued and future requests to the kernel. */
  attach(handlers: WireHandlers): void;
}

/** dist/kernel/wire/worker.js, or its one-file bundle when current (scripts/bundle-kernel.mjs). */
export function wireWorkerFile(): string {
  return currentBundle(path.join(KERNEL_DIR, "wire", "worker-bundle.cjs")) ?? path.join(KERNEL_DIR, "wire", "worker.js");
}

/** `started`: the worker a restored snapshot started even earlier (snapshot/build-entry.cts). */
export function openWire(connectionFile: string, started?: WireWorker): EarlyWire {
  let handlers: WireHandlers | null = null;
  const queued: IncomingRequest[] = [];
  let shutdownAsked: boolean | null = null;
  const wire = new Wire(started ?? spawnWireWorker(connectionFile, wireWorkerFile()), {
    request: (request) => (handlers ? handlers.request(request) : queued.push(request)),
    shutdown: (restart) => {
      if (handlers) handlers.shutdown(restart);
      else shutdownAsked = restart;
    },
  });
  return {
    wire,
    attach(next) {
      handlers = next;
      for (const request of queued.splice(0)) next.request(request);
      if (shutdownAsked !== null) next.shutdown(shutdownAsked);
    },
  };
}
