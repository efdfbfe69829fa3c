import { blockCount, blockRows, KC, packBytes, runBlock, type GemmSlice, type PackScratch, type SliceRunner } from "./gemm-driver.js";
import type { GemmShape } from "./kernels/gemm.js";
import type { WasmRuntime } from "./runtime.js";

/**
 * Helper threads for large matmuls (Node only: worker_threads over the shared Wasm memory).
 *
 * A slice's blocks are claimed one at a time by the main thread and every worker from one
 * 64-bit word: job number (high half) and next block (low half), advanced by compare-exchange.
 * A worker that wakes late for a job that has already finished sees another job number and
 * claims nothing, so it can never compute a block with stale parameters. The main thread
 * does its share and then waits only for blocks already claimed, so a busy or slow core costs
 * at most one block's time. Workers spin briefly between jobs (back-to-back matmuls of a
 * training step), then sleep on a futex.
 *
 * Control block layout (int32 slots): 0 job number, 1 blocks done, 2–3 claim word (int64),
 * 4 failure flag, 8+16·(job & 1) parameters of the job (two slots alternate).
 */
const JOB = 0;
const DONE = 1;
const FAILED = 4;
const PARAMS = 8;
const SLOT = 16;
/** Columns of a block on the threaded path (see reblock), so a worker's B scratch has a fixed size. */
const THREAD_NC = 128;
const CTRL_BYTES = (PARAMS + 2 * SLOT) * 4;

/**
 * Below this many multiply-adds per slice, a helper thread costs more than it saves: besides
 * waking it, the operands and packed panels it reads were just written by the main thread, and
 * moving them between cores took longer than the work (a training step's 64×784·784×128 product,
 * 3.2M per slice, made train.fit 40% slower on two threads than on one on this 2-core machine).
 */
export const PARALLEL_MIN_MACS = 1 << 23;
/** Blocks of less work than this (~6 µs) cost more in claiming and cache misses than they balance. */
const MIN_BLOCK_MACS = 1 << 18;
/** Milliseconds a worker keeps polling for the next job before it sleeps (a futex wake took 26 µs median, 150 µs p90 here). */
const WORKER_SPIN_MS = 2;
/** Polls of the main thread before it sleeps waiting for the last claimed blocks. */
const SPIN = 20000;
const WARM_M = 32;
const WARM_K = 64;
const WARM_PANEL = WARM_M * WARM_K * 4;
const WARM_BYTES = 2 * WARM_PANEL + WARM_M * WARM_M * 4;
const WARM_CALLS = 1500;

// Plain JS run by each worker (evaluated from a string, so it needs no file of its own and
// works the same under a bundler or a test runner). Mirrors runBlock and the claim below.
const workerSource = ({ MR, NR }: GemmShape): string => `
const { workerData } = require("node:worker_threads");
const { module, memory, ctrl, scratch, spin, warm } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const gemm_macro = ex.gemm_macro, packA = ex.pack${MR}, packB = ex.pack${NR};
const { ap, bp, tmp } = scratch;
// V8 first runs baseline code and optimizes a function once it has run enough: do that now,
// on a small product in this worker's warm-up scratch, rather than during the first real matmul.
for (let i = 0; i < ${WARM_CALLS}; i++) {
  packA(warm, ${WARM_K * 4}, 4, ${WARM_M}, ${WARM_K}, ap);
  packB(warm, 4, ${WARM_M * 4}, ${WARM_M}, ${WARM_K}, bp);
  gemm_macro(ap, bp, warm + 2 * ${WARM_PANEL}, ${WARM_M}, ${WARM_M}, ${WARM_K}, ${WARM_M * 4}, 0, tmp);
}
const I = new Int32Array(memory.buffer, ctrl, ${CTRL_BYTES / 4});
const W = new BigInt64Array(memory.buffer, ctrl + 8, 1);
function claim(job, total) {
  for (;;) {
    const w = Atomics.load(W, 0);
    if (Number(w >> 32n) !== job) return -1;
    const t = Number(w & 0xffffffffn);
    if (t >= total) return -1;
    if (Atomics.compareExchange(W, 0, w, w + 1n) === w) return t;
  }
}
function work(job) {
  const p = ${PARAMS} + (job & 1) * ${SLOT};
  const q = (k) => Atomics.load(I, p + k);
  const total = q(0), a = q(1), rsa = q(2), csa = q(3), b = q(4), rsb = q(5), csb = q(6), c = q(7);
  const m = q(8), n = q(9), kc = q(10), ldc = q(11), acc = q(12), mc = q(13), nc = q(14);
  const rowBlocks = Math.ceil(m / mc);
  let packedA = -1, packedB = -1;
  for (let t; (t = claim(job, total)) >= 0; ) {
    const ib = (t % rowBlocks) * mc, jb = Math.floor(t / rowBlocks) * nc;
    const rows = Math.min(mc, m - ib), cols = Math.min(nc, n - jb);
    if (packedA !== ib) { packA(a + ib * rsa, rsa, csa, rows, kc, ap); packedA = ib; }
    if (packedB !== jb) { packB(b + jb * csb, csb, rsb, cols, kc, bp); packedB = jb; }
    gemm_macro(ap, bp, c + ib * ldc + jb * 4, rows, cols, kc, ldc, acc, tmp);
    Atomics.add(I, ${DONE}, 1);
    Atomics.notify(I, ${DONE});
  }
}
let seen = Atomics.load(I, ${JOB});
try {
  for (;;) {
    const until = performance.now() + spin;
    while (Atomics.load(I, ${JOB}) === seen && performance.now() < until);
    Atomics.wait(I, ${JOB}, seen);
    seen = Atomics.load(I, ${JOB});
    work(seen);
  }
} catch (e) {
  Atomics.store(I, ${FAILED}, 1);
  Atomics.notify(I, ${DONE});
  throw e;
}`;

interface NodeThreads {
  Worker: new (src: string, opts: object) => WorkerLike;
}
interface NodeOs {
  availableParallelism?: () => number;
  cpus(): unknown[];
}

interface WorkerLike {
  unref(): void;
  terminate(): Promise<number>;
  on(event: "error", listener: (e: unknown) => void): void;
}

export class GemmPool {
  private readonly i32: Int32Array;
  private readonly w64: BigInt64Array;
  private job = 0;
  private dead = false;

  private constructor(
    private readonly rt: WasmRuntime, private readonly ctrl: number, readonly workers: readonly WorkerLike[],
  ) {
    this.i32 = new Int32Array(rt.heap.bytes, ctrl, CTRL_BYTES / 4);
    this.w64 = new BigInt64Array(rt.heap.bytes, ctrl + 8, 1);
  }

  /**
   * Starts helper threads: `threads - 1` workers, by default one per core up to 4 threads in
   * all; null where worker_threads or a shared memory is missing (browsers: single-threaded).
   * Synchronous where Node has process.getBuiltinModule (≥ 20.16), so even a script that never
   * yields gets its threads; a worker still booting simply claims no blocks yet.
   */
  static start(rt: WasmRuntime, threads?: number): GemmPool | null | Promise<GemmPool | null> {
    if (!rt.heap.shared || typeof process === "undefined" || !process.versions?.node) return null;
    const builtin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    // Specifiers in variables, so browser bundlers do not try to resolve Node built-ins.
    const [wt, os] = ["node:worker_threads", "node:os"];
    try {
      if (builtin) return GemmPool.launch(rt, threads, builtin(wt) as NodeThreads, builtin(os) as NodeOs);
    } catch {
      return null;
    }
    return Promise.all([import(/* @vite-ignore */ wt), import(/* @vite-ignore */ os)]).then(
      ([t, o]) => GemmPool.launch(rt, threads, t as NodeThreads, o as NodeOs),
      () => null,
    );
  }

  private static launch(rt: WasmRuntime, threads: number | undefined, { Worker }: NodeThreads, os: NodeOs): GemmPool | null {
    threads ??= Math.min(4, os.availableParallelism?.() ?? os.cpus().length);
    if (threads < 2) return null;
    // Kept for the life of the process: never freed, so never reused by a tensor.
    const ctrl = rt.heap.alloc(CTRL_BYTES, false);
    const sizes = packBytes(rt.gemm, blockRows(rt.gemm), THREAD_NC, KC);
    const scratches = Array.from({ length: threads - 1 }, () => ({
      ap: rt.heap.alloc(sizes.ap, false), bp: rt.heap.alloc(sizes.bp, false), tmp: rt.heap.alloc(sizes.tmp, false),
    }));
    const warm = rt.heap.alloc(WARM_BYTES, false); // zeros for the warm-up
    if (!ctrl || !warm || scratches.some((x) => !x.ap || !x.bp || !x.tmp)) return null;
    new Uint8Array(rt.heap.bytes, warm, WARM_BYTES).fill(0);
    new Int32Array(rt.heap.bytes, ctrl, CTRL_BYTES / 4).fill(0);
    const workers = scratches.map((scratch) => {
      const w = new Worker(workerSource(rt.gemm), { eval: true, workerData: { module: rt.module, memory: rt.heap.memory, ctrl, scratch, spin: WORKER_SPIN_MS, warm } });
      w.unref(); // an idle helper must not keep the process alive
      return w;
    });
    const pool = new GemmPool(rt, ctrl, workers);
    // A worker that fails takes no more blocks (one that never started never took any).
    for (const w of workers) w.on("error", () => void (pool.dead = true));
    return pool;
  }

  get failed(): boolean {
    return this.dead || Atomics.load(this.i32, FAILED) !== 0;
  }

  /** Runs a slice on all threads; small slices run on this one alone. */
  readonly runSlice: SliceRunner = (s, scratch) => {
    if (this.failed || s.m * s.n * s.kc < PARALLEL_MIN_MACS) return runLocal(this.rt, s, scratch);
    const blocked = this.reblock(s);
    const total = blockCount(blocked);
    if (total < 2) return runLocal(this.rt, s, scratch);
    const job = (this.job = (this.job + 1) & 0x3fffffff);
    const I = this.i32;
    const p = PARAMS + (job & 1) * SLOT;
    const params = [
      total, s.a, s.rsa, s.csa, s.b, s.rsb, s.csb, s.c, s.m, s.n, s.kc, s.ldc, s.accumulate ? 1 : 0, blocked.mc, blocked.nc,
    ];
    for (let k = 0; k < params.length; k++) Atomics.store(I, p + k, params[k]!);
    Atomics.store(I, DONE, 0);
    Atomics.store(this.w64, 0, BigInt(job) << 32n);
    Atomics.store(I, JOB, job);
    Atomics.notify(I, JOB);
    for (let t; (t = this.claim(job, total)) >= 0; ) {
      runBlock(this.rt, blocked, t, scratch);
      Atomics.add(I, DONE, 1);
    }
    // Only blocks a worker has claimed remain; wait for them (spin first: they are short).
    for (let i = 0, d; (d = Atomics.load(I, DONE)) < total; i++) {
      if (Atomics.load(I, FAILED) !== 0) throw new Error("internal: a matmul worker thread failed");
      if (i > SPIN) Atomics.wait(I, DONE, d, 10);
    }
  };

  /**
   * Smaller blocks than the single-thread default, so the work splits evenly: about two per
   * thread, halving the dimension with fewer blocks (a 64-row product splits by columns),
   * but never below MIN_BLOCK_MACS of work per block.
   */
  private reblock(s: GemmSlice): GemmSlice {
    let mc = s.mc;
    let nc = Math.min(s.nc, THREAD_NC);
    const want = 2 * (this.workers.length + 1);
    for (;;) {
      const rows = Math.ceil(s.m / mc);
      const cols = Math.ceil(s.n / nc);
      if (rows * cols >= want || (Math.min(mc, s.m) * Math.min(nc, s.n) * s.kc) / 2 < MIN_BLOCK_MACS) break;
      const { MR, NR } = this.rt.gemm;
      if (cols <= rows && nc >= 4 * NR) nc /= 2;
      else if (mc >= 4 * MR) mc = Math.ceil(mc / 2 / MR) * MR;
      else if (nc >= 4 * NR) nc /= 2;
      else break;
    }
    return { ...s, mc, nc };
  }

  private claim(job: number, total: number): number {
    for (;;) {
      const w = Atomics.load(this.w64, 0);
      if (Number(w >> 32n) !== job) return -1;
      const t = Number(w & 0xffffffffn);
      if (t >= total) return -1;
      if (Atomics.compareExchange(this.w64, 0, w, w + 1n) === w) return t;
    }
  }
}

export function runLocal(rt: WasmRuntime, s: GemmSlice, scratch: PackScratch): void {
  const blocks = blockCount(s);
  for (let t = 0; t < blocks; t++) runBlock(rt, s, t, scratch);
}
