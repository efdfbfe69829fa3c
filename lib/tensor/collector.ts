/**
 * Garbage collection on demand, for memory the JavaScript collector cannot see (Wasm blocks, GPU
 * buffers). A training loop that never awaits allocates megabytes of such memory behind a few
 * kilobytes of JavaScript objects: V8 sees no reason to collect, and even when it does, the
 * FinalizationRegistry callbacks that hand buffers back are tasks, which never run inside a
 * synchronous loop. WeakRefs do not help either: a WeakRef made during the current job keeps
 * its target alive until the job ends.
 *
 * In Node both limits can be lifted after start-up, for code that asks: `--expose-gc` and
 * `--harmony-weak-refs-with-cleanup-some` set through `v8.setFlagsFromString` apply to contexts
 * created afterwards, so a fresh `vm` context yields `gc` and a FinalizationRegistry whose
 * `cleanupSome()` runs the pending callbacks synchronously. Only a full collection clears
 * finalization cells (a scavenge treats them as strong), which costs 2–5 ms in a small heap and
 * 50–100 ms next to the TypeScript compiler in a kernel, so callers collect rarely
 * (see storage.ts). Elsewhere (a browser) the registry is the plain one and buffers come back
 * when the event loop turns.
 */

import { LIBRARY_V8_FLAGS } from "../host/v8-flags.js";

interface RegistryWithCleanup<T> extends FinalizationRegistry<T> {
  cleanupSome?: (callback?: (held: T) => void) => void;
}

export interface Collector<T> {
  readonly registry: FinalizationRegistry<T>;
  /** Collects garbage and runs the finalizers now; null where that is impossible. */
  readonly collectNow: (() => void) | null;
}

interface NodeTools {
  v8: { setFlagsFromString(flags: string): void };
  vm: { runInNewContext(code: string): unknown };
}

function nodeTools(): NodeTools | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; versions?: { node?: string } } }).process;
  if (typeof proc?.versions?.node !== "string" || typeof proc.getBuiltinModule !== "function") return null;
  try {
    const v8 = proc.getBuiltinModule("node:v8") as NodeTools["v8"] | undefined;
    const vm = proc.getBuiltinModule("node:vm") as NodeTools["vm"] | undefined;
    return v8 && vm ? { v8, vm } : null;
  } catch {
    return null;
  }
}

/** A finalization registry for `cleanup`, with a synchronous collection where the host allows one. */
export function makeCollector<T>(cleanup: (held: T) => void): Collector<T> {
  const tools = nodeTools();
  if (tools) {
    try {
      for (const flag of LIBRARY_V8_FLAGS.gc) tools.v8.setFlagsFromString(flag);
      const fresh = tools.vm.runInNewContext("({ gc: typeof gc === 'function' ? gc : null, FR: FinalizationRegistry })") as {
        gc: (() => void) | null;
        FR: typeof FinalizationRegistry;
      };
      const registry = new fresh.FR<T>(cleanup) as RegistryWithCleanup<T>;
      const gc = fresh.gc;
      if (gc && typeof registry.cleanupSome === "function") {
        return {
          registry,
          collectNow: () => {
            gc();
            registry.cleanupSome!();
          },
        };
      }
    } catch {
      // A host that refuses the flags keeps the plain registry below.
    }
  }
  return { registry: new FinalizationRegistry<T>(cleanup), collectNow: null };
}
