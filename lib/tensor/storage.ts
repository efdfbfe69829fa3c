import type { Backend, BackendName } from "../backend/backend.js";
import { makeCollector } from "./collector.js";
import { COLLECT_BUDGET, nextFloor } from "./collect-budget.js";
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
 * Memory the JavaScript collector cannot see (Wasm blocks, GPU buffers), per backend: `live` is
 * held by tensors now, `pending` was allocated since the last collection and not given back
 * since, `baseline` was live right after the last collection. Kernels free what they alone own
 * at once (backward temporaries, replaced gradients and optimizer state, see
 * autograd/backward.ts and optim/); what remains pending belongs to tensors only the garbage
 * collector can judge, so when it passes the backend's budget (collect-budget.ts) a collection
 * runs. `floor` is that budget's current floor; `lastEnd` when the last collection ended (ms).
 */
interface Pressure {
  live: number;
  pending: number;
  baseline: number;
  floor: number;
  lastEnd: number;
}

const pressures = new Map<BackendName, Pressure>();
let collections = 0;

function pressureOf(name: BackendName): Pressure {
  let p = pressures.get(name);
  if (!p) pressures.set(name, (p = { live: 0, pending: 0, baseline: 0, floor: COLLECT_BUDGET[name].min, lastEnd: performance.now() }));
  return p;
}

function release(h: Held): void {
  if (h.freed) return;
  h.freed = true;
  const s = statsFor(h.backend.name);
  s.tensors--;
  s.bytes -= h.bytes;
  if (h.buf !== null) {
    const p = pressureOf(h.backend.name);
    p.live -= h.bytes;
    p.pending = Math.max(0, p.pending - h.bytes);
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
  collections++;
  collector.collectNow?.();
  for (const p of pressures.values()) {
    p.pending = 0;
    p.baseline = p.live;
  }
}

/** A collection asked for by `backend`'s pressure `p`: its budget's floor follows what it cost. */
function collectFor(backend: BackendName, p: Pressure): void {
  const start = performance.now();
  collectGarbage();
  const end = performance.now();
  p.floor = nextFloor(backend, p.floor, end - start, start - p.lastEnd);
  p.lastEnd = end;
}

/**
 * Called by a backend before it allocates `bytes` of memory the collector cannot see: runs a
 * collection when too much such memory was allocated since the last one and not freed since.
 */
export function reclaimIfPressed(backend: BackendName, bytes: number): void {
  const p = pressureOf(backend);
  if (p.pending + bytes > Math.max(p.floor, p.baseline * COLLECT_BUDGET[backend].share) && collector.collectNow) collectFor(backend, p);
}

/** For tests and benchmarks: a backend's pressure counters (bytes), its budget's floor, and how many collections ran. */
export function memoryPressure(backend: BackendName = "cpu"): { live: number; pending: number; baseline: number; floor: number; collections: number } {
  const { live, pending, baseline, floor } = pressureOf(backend);
  return { live, pending, baseline, floor, collections };
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
export interface Scope {
  readonly id: number;
  readonly created: Storage[];
}

const scopes: Scope[] = [];
let nextScopeId = 1;

/** Starts recording the storages created from now on (nested scopes each get their own). */
export function beginScope(): Scope {
  const s = { id: nextScopeId++, created: [] };
  scopes.push(s);
  return s;
}

/**
 * Stops recording `scope` and frees every storage in it that is not in `keep`. What is kept
 * passes to the enclosing scope, if any: it was handed to the code running there.
 */
export function endScope(scope: Scope, keep: ReadonlySet<Storage>): void {
  const top = scopes.pop();
  if (top !== scope) throw new GradlabError("internal: allocation scopes ended out of order");
  const parent = scopes[scopes.length - 1];
  for (const s of scope.created) {
    if (!keep.has(s)) s.dispose();
    else if (parent) {
      s.scope = parent.id;
      parent.created.push(s);
    } else s.register();
  }
  if (parent) for (const s of keep) if (s.scope === scope.id) s.scope = parent.id;
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
  /** The scope (see beginScope) that was innermost when this buffer was made; 0 for none. */
  scope = 0;
  /** What the finalizer needs; null for buffers not counted (small CPU ones the collector frees). */
  private readonly held: Held | null;
  readonly bytes: number;

  constructor(readonly backend: Backend, readonly buf: unknown) {
    const bytes = backend.byteSize(buf);
    this.bytes = bytes;
    const counted = backend.name !== "cpu" || bytes >= CPU_TRACK_MIN_BYTES;
    if (counted) {
      // Asked only of counted buffers: a small CPU buffer never lives in Wasm memory, and asking
      // (a typed array's .buffer) would cost more than the op that made it.
      const releasable = backend.needsRelease ? backend.needsRelease(buf) : backend.name !== "cpu";
      this.held = { backend, buf: releasable ? buf : null, bytes, freed: false };
      const s = statsFor(backend.name);
      s.tensors++;
      s.bytes += bytes;
      if (releasable) {
        const p = pressureOf(backend.name);
        p.live += bytes;
        p.pending += bytes;
      }
    } else this.held = null;
    if (scopes.length > 0) {
      const top = scopes[scopes.length - 1]!;
      // Only counted buffers are worth freeing early; small CPU ones are the collector's anyway.
      // Their registration waits for the scope's end, which frees most of them (see register).
      if (counted) top.created.push(this);
      this.scope = top.id;
    } else if (counted) this.register();
  }

  /**
   * Hands the buffer to the finalizer. While registered, a young-generation collection keeps
   * the storage alive (V8's scavenger treats finalization cells as strong), so every registered
   * temporary would reach the old generation; buffers freed early are therefore unregistered,
   * and a scope's are registered only if they outlive it.
   */
  register(): void {
    if (this.registered || this.disposed || !this.held) return;
    this.registered = true;
    collector.registry.register(this, this.held, this.held);
  }

  private registered = false;

  /** A new Tensor object holds this buffer (see `holders`). */
  hold(): void {
    // A view made by the engine inside a backward pass dies with the pass.
    if (this.holders > 0 && scopes.length > 0) return;
    this.holders++;
  }

  /** Whether the buffer was freed (dispose); a field, since every kernel launch checks it. */
  disposed = false;
  /** Why the buffer is gone, for the error a later use gets. */
  disposedBecause = "this tensor was disposed; its memory is gone";

  /** Frees the buffer now; any tensor still using it fails with a clear error from then on. */
  dispose(because?: string): void {
    if (because && !this.disposed) this.disposedBecause = because;
    this.disposed = true;
    if (!this.held) return;
    if (this.registered) collector.registry.unregister(this.held);
    release(this.held);
  }
}

/** Live tracked buffers and their bytes on one backend. */
export function memoryOf(name: BackendName): { tensors: number; bytes: number } {
  const s = statsFor(name);
  return { tensors: s.tensors, bytes: s.bytes };
}
