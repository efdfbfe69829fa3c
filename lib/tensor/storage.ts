import type { Backend, BackendName } from "../backend/backend.js";

interface Held {
  backend: Backend;
  buf: unknown;
  bytes: number;
  freed: boolean;
}

const stats = new Map<BackendName, { tensors: number; bytes: number }>();

/**
 * Weak references to the storages of backends whose memory the garbage collector cannot see
 * (GPU buffers): `reclaimUnreachable` frees the collected ones at once, even in the middle of a
 * loop that never yields, when finalizer callbacks (which are tasks) would not run.
 */
const sweepable = new Map<Backend, Map<Held, WeakRef<Storage>>>();

function statsFor(name: BackendName): { tensors: number; bytes: number } {
  let s = stats.get(name);
  if (!s) stats.set(name, (s = { tensors: 0, bytes: 0 }));
  return s;
}

function release(h: Held): void {
  if (h.freed) return;
  h.freed = true;
  sweepable.get(h.backend)?.delete(h);
  const s = statsFor(h.backend.name);
  s.tensors--;
  s.bytes -= h.bytes;
  h.backend.dispose(h.buf);
}

// Buffers go back to their backend when no tensor can reach them any more, so lessons never
// need dispose() or tidy(); dispose() stays for those who want memory back at once.
const registry = new FinalizationRegistry<Held>(release);

/**
 * Registering a buffer with the finalizer costs about a microsecond, more than a whole op on a
 * tiny tensor. CPU buffers are plain typed arrays the garbage collector frees by itself, so only
 * those big enough to matter are tracked there; every GPU buffer is, because it must be released.
 */
export const CPU_TRACK_MIN_BYTES = 1024;

/** A backend buffer shared by a tensor and all its views. */
export class Storage {
  private readonly held: Held;
  private readonly untracked: boolean;

  constructor(readonly backend: Backend, readonly buf: unknown) {
    const bytes = backend.byteSize(buf);
    this.held = { backend, buf, bytes, freed: false };
    this.untracked = backend.name === "cpu" && bytes < CPU_TRACK_MIN_BYTES;
    if (!this.untracked) {
      const s = statsFor(backend.name);
      s.tensors++;
      s.bytes += bytes;
      // No unregister token: one costs more than the rest of a small op. dispose() marks the
      // buffer freed instead, and the finalizer then does nothing.
      registry.register(this, this.held);
      // A WeakRef costs nearly a microsecond too; only buffers holding GPU memory need one.
      if (backend.needsSweep ? backend.needsSweep(buf) : backend.name !== "cpu") {
        let refs = sweepable.get(backend);
        if (!refs) sweepable.set(backend, (refs = new Map()));
        refs.set(this.held, new WeakRef(this));
      }
    }
  }

  get bytes(): number {
    return this.held.bytes;
  }

  get disposed(): boolean {
    return this.held.freed;
  }

  dispose(): void {
    if (this.untracked) {
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

/** Frees the buffers of `backend` whose tensors have been garbage-collected; returns the bytes freed. */
export function reclaimUnreachable(backend: Backend): number {
  const refs = sweepable.get(backend);
  if (!refs) return 0;
  let freed = 0;
  for (const [held, ref] of refs) {
    if (ref.deref() === undefined) {
      freed += held.bytes;
      release(held);
    }
  }
  return freed;
}
