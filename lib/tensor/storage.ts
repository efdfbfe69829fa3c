import type { Backend, BackendName } from "../backend/backend.js";
import { makeCollector } from "./collector.js";
import { GradlabError } from "./errors.js";

interface Held {
  backend: Backend;
  /** The buffer, only when it must be handed back (see Storage); null lets the collector free it. */
  buf: unknown;
  bytes: number;
  freed: boolean;
}

const stats = new Map<BackendName, { tensors: number; bytes: number }>();

function statsFor(name: BackendName): { tensors: number; bytes: number } {
  let s = stats.get(name);
  if (!s) stats.set(name, (s = { tensors: 0, bytes: 0 }));
  return s;
}

/**
 * Memory the JavaScript collector cannot see (Wasm blocks, GPU buffers), across backends:
 * `live` is held by tensors now, `pending` was allocated since the last collection and not given
 * back since. Kernels free what they alone own at once (backward temporaries, replaced gradients
 * and optimizer state, see autograd/backward.ts and optim/); what remains pending belongs to
 * tensors only the garbage collector can judge, so when it passes the budget a collection runs.
 */
const pressure = { live: 0, pending: 0, collections: 0 };
/**
 * Garbage allowed to pile up before a collection: at least 48 MiB, and a quarter of what is
 * live, so a program that keeps gigabytes on purpose does not collect after every few tensors.
 */
export const COLLECT_MIN_BYTES = 48 * 2 ** 20;

function release(h: Held): void {
  if (h.freed) return;
  h.freed = true;
  const s = statsFor(h.backend.name);
  s.tensors--;
  s.bytes -= h.bytes;
  if (h.buf !== null) {
    pressure.live -= h.bytes;
    pressure.pending = Math.max(0, pressure.pending - h.bytes);
    h.backend.dispose(h.buf);
  }
}

// Buffers go back to their backend when no tensor can reach them any more, so lessons never
// need dispose() or tidy(); dispose() stays for those who want memory back at once.
const collector = makeCollector<Held>(release);

/** Whether a collection can run inside a synchronous loop here (Node; not a browser). */
export const canCollectNow = collector.collectNow !== null;

/**
 * Collects unreachable tensors now and hands their buffers back. Backends call this through
 * `reclaimIfPressed` before allocating; tests and benchmarks may call it directly.
 */
export function collectGarbage(): void {
  pressure.pending = 0;
  pressure.collections++;
  collector.collectNow?.();
}

/**
 * Called by a backend before it allocates `bytes` of memory the collector cannot see: runs a
 * collection when too much such memory was allocated since the last one and not freed since.
 */
export function reclaimIfPressed(bytes: number): void {
  if (pressure.pending + bytes > Math.max(COLLECT_MIN_BYTES, pressure.live / 4) && collector.collectNow) collectGarbage();
}

/** For tests and benchmarks: the pressure counters (bytes) and how many collections ran. */
export function memoryPressure(): { live: number; pending: number; collections: number } {
  return { ...pressure };
}

/**
 * Registering a buffer with the finalizer costs about a microsecond, more than a whole op on a
 * tiny tensor. CPU buffers are plain typed arrays the garbage collector frees by itself, so only
 * those big enough to matter are counted there; every GPU buffer is, because it must be released.
 */
export const CPU_TRACK_MIN_BYTES = 1024;

/**
 * Storages created while the autograd engine runs a backward pass, so it can free the ones that
 * did not become a gradient (see autograd/backward.ts). Views the engine makes inside such a
 * scope are not counted as holders: they live only while a gradient rule runs.
 */
const scopes: Storage[][] = [];

/** Starts recording the storages created from now on (nested scopes each get their own). */
export function beginScope(): Storage[] {
  const s: Storage[] = [];
  scopes.push(s);
  return s;
}

/** Stops recording `scope` and frees every storage in it that is not in `keep`. */
export function endScope(scope: Storage[], keep: ReadonlySet<Storage>): void {
  const top = scopes.pop();
  if (top !== scope) throw new GradlabError("internal: allocation scopes ended out of order");
  for (const s of scope) if (!keep.has(s)) s.dispose();
}

/** Runs `fn` outside any scope: what it creates outlives the scope (caches). */
export function outsideScopes<T>(fn: () => T): T {
  const saved = scopes.splice(0);
  try {
    return fn();
  } finally {
    scopes.push(...saved);
  }
}

/** A backend buffer shared by a tensor and all its views. */
export class Storage {
  /**
   * How many Tensor objects were ever made over this buffer (the tensor, its views, detached
   * copies, parameters assigned it). Never decremented, since only the collector knows when a
   * tensor dies: 1 means the buffer has a single holder for good, which is what lets an
   * optimizer or `backward` write it in place and free it early without anyone noticing.
   */
  holders = 0;
  private readonly held: Held;
  private readonly counted: boolean;

  constructor(readonly backend: Backend, readonly buf: unknown) {
    const bytes = backend.byteSize(buf);
    const releasable = backend.needsRelease ? backend.needsRelease(buf) : backend.name !== "cpu";
    this.counted = releasable || backend.name !== "cpu" || bytes >= CPU_TRACK_MIN_BYTES;
    this.held = { backend, buf: releasable ? buf : null, bytes, freed: false };
    if (this.counted) {
      const s = statsFor(backend.name);
      s.tensors++;
      s.bytes += bytes;
      if (releasable) {
        pressure.live += bytes;
        pressure.pending += bytes;
      }
      // No unregister token: one costs more than the rest of a small op. dispose() marks the
      // buffer freed instead, and the finalizer then does nothing.
      collector.registry.register(this, this.held);
    }
    if (scopes.length > 0) scopes[scopes.length - 1]!.push(this);
  }

  /** A new Tensor object holds this buffer (see `holders`). */
  hold(): void {
    // A view made by the engine inside a backward pass dies with the pass.
    if (this.holders > 0 && scopes.length > 0) return;
    this.holders++;
  }

  get bytes(): number {
    return this.held.bytes;
  }

  get disposed(): boolean {
    return this.held.freed;
  }

  /** Frees the buffer now; any tensor still using it fails with a clear error from then on. */
  dispose(): void {
    if (!this.counted) {
      this.held.freed = true;
      return;
    }
    release(this.held);
  }
}

/** Live tracked buffers and their bytes on one backend. */
export function memoryOf(name: BackendName): { tensors: number; bytes: number } {
  const s = statsFor(name);
  return { tensors: s.tensors, bytes: s.bytes };
}
