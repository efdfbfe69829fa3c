import { manualSeed, randn, setBackend, tensor, type Tensor } from "../lib/index.js";
import { webgpuBackend } from "../lib/backend/registry.js";
import { makeMlpStep, type Result } from "./workloads.js";

/**
 * WebGPU benchmarks, on whatever adapter `setBackend("webgpu")` finds (on a machine without a GPU:
 * Dawn's OpenGL ES backend on Mesa's llvmpipe, with EGL_PLATFORM=surfaceless). Peer figures are
 * the issue's, measured on that same software adapter: TF.js WebGPU matmul 1024 at 0.83 GFLOP/s,
 * jax-js WebGPU matmul 512 at 3.2 GFLOP/s, TF.js per-op dispatch 2.5 µs.
 */
const JAXJS_MATMUL_512 = 3.2;
const TFJS_MATMUL_1024 = 0.83;
const TFJS_DISPATCH_US = 2.5;

async function median(fn: () => Promise<void>, samples: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Matmul GFLOP/s; each sample waits for the result, so it measures the GPU, not the enqueue. */
export async function gpuMatmul(n: number): Promise<Result> {
  manualSeed(0);
  const a = randn([n, n]);
  const b = randn([n, n]);
  const c = await a.matmul(b).slice(3, 5).item();
  const row = await a.slice(3).data();
  const col = await b.slice(null, 5).data();
  const want = Array.from(row).reduce((s, v, k) => s + v * col[k]!, 0);
  if (Math.abs((c as number) - want) > 1e-3 * Math.max(1, Math.abs(want))) throw new Error(`webgpu matmul ${n}: wrong result ${c} vs ${want}`);
  const reps = n >= 1024 ? 1 : 3;
  const ms = await median(async () => {
    let out: Tensor | null = null;
    for (let i = 0; i < reps; i++) out = a.matmul(b);
    // One computed element, not a view: reading a view reads its whole buffer (megabytes here).
    await out!.slice(0, 0).add(0).item();
  }, n >= 1024 ? 3 : 5) / reps;
  const gflops = (2 * n ** 3) / ms / 1e6;
  const peer = n === 512 ? { name: "jax-js", v: JAXJS_MATMUL_512 } : n === 1024 ? { name: "TF.js", v: TFJS_MATMUL_1024 } : null;
  return {
    name: `webgpu matmul ${n}×${n}${peer ? ` (${(gflops / peer.v).toFixed(2)}× ${peer.name})` : ""}`,
    value: gflops,
    unit: "GFLOP/s",
    ...(peer ? { target: `≥ ${peer.v} (${peer.name} WebGPU, same adapter)`, met: gflops >= peer.v } : {}),
  };
}

/**
 * Per-op cost of small elementwise ops: JavaScript time to record them (shape checks, the
 * tensor, buffer and bind-group lookups, dispatches), without the driver's execution: on a
 * software adapter, queue.submit runs the work synchronously, and that time is measured apart.
 * Unfused, every op dispatches its own kernel; fused (the default), a chain x ← x + b runs as one
 * kernel per 12 ops. Results are dropped as a lesson drops them; the collector returns their
 * buffers to the pool.
 */
export async function gpuDispatch(): Promise<Result[]> {
  const be = webgpuBackend()!;
  const results: Result[] = [];
  for (const fusion of [false, true]) {
    be.fusion = fusion;
    try {
      const { recordUs, totalUs } = await measureChain();
      const label = fusion ? "fused chain (default)" : "one kernel per op";
      results.push(
        {
          name: `webgpu per-op overhead, ${label} (${(TFJS_DISPATCH_US / recordUs).toFixed(2)}× TF.js)`,
          value: recordUs,
          unit: "µs/op",
          target: `≤ ${TFJS_DISPATCH_US} µs (TF.js WebGPU dispatch)`,
          met: recordUs <= TFJS_DISPATCH_US,
        },
        { name: `webgpu per-op incl. driver execution, ${label}`, value: totalUs, unit: "µs/op" },
      );
    } finally {
      be.fusion = true;
    }
  }
  return results;
}

async function measureChain(): Promise<{ recordUs: number; totalUs: number }> {
  const a = tensor([[1, 2], [3, 4]]);
  const b = tensor([[5, 6], [7, 8]]);
  const be = webgpuBackend()!;
  const n = 2000;
  let recordUs = Infinity;
  let totalUs = Infinity;
  for (let s = 0; s < 12; s++) {
    await a.add(b).data();
    const submit0 = be.stats().submitMs;
    const t0 = performance.now();
    let x = a;
    for (let i = 0; i < n; i++) x = x.add(b);
    be.flush();
    const t1 = performance.now();
    await x.data();
    const t2 = performance.now();
    const submitted = be.stats().submitMs - submit0;
    if (s >= 2) {
      recordUs = Math.min(recordUs, ((t1 - t0 - submitted) * 1000) / n);
      totalUs = Math.min(totalUs, ((t2 - t0) * 1000) / n);
    }
  }
  return { recordUs, totalUs };
}

/**
 * A chain of 8 elementwise ops on 1e5 floats (the shape of an activation's gradient), fused into
 * one kernel and unfused (one kernel per op), waiting for the result each time.
 */
export async function gpuFusion(): Promise<Result[]> {
  const be = webgpuBackend()!;
  const x = randn([100_000]);
  const chain = () => x.mul(2).add(1).tanh().square().neg().add(1).mul(x).sigmoid();
  const time = async (fusion: boolean) => {
    be.fusion = fusion;
    try {
      return await median(async () => {
        await chain().slice([0, 1]).data();
      }, 9);
    } finally {
      be.fusion = true;
    }
  };
  const unfused = await time(false);
  const fused = await time(true);
  return [
    { name: `webgpu 8-op elementwise chain, fused (${(unfused / fused).toFixed(2)}× unfused)`, value: fused * 1000, unit: "µs" },
    { name: "webgpu 8-op elementwise chain, unfused", value: unfused * 1000, unit: "µs" },
  ];
}

/** One SGD step of the 784-128-10 MLP of bench/workloads.ts, on the GPU, waiting for the loss. */
export async function gpuMlpStep(): Promise<Result> {
  const step = makeMlpStep();
  const first = (await step().item()) as number;
  for (let i = 0; i < 5; i++) step();
  const later = (await step().item()) as number;
  if (!(later < first)) throw new Error(`webgpu MLP step: loss did not fall (${first} → ${later})`);
  const ms = await median(async () => {
    for (let i = 0; i < 9; i++) step();
    await step().item();
  }, 5) / 10;
  return { name: "webgpu MLP 784-128-10 SGD step, batch 64", value: 1000 / ms, unit: "steps/s" };
}

/** All WebGPU benchmarks; an empty list (and a note) when this machine has no adapter. */
export async function runWebGpuBench(log: (line: string) => void = console.log): Promise<Result[]> {
  try {
    await setBackend("webgpu");
  } catch (e) {
    log(`webgpu: skipped (${e instanceof Error ? e.message : String(e)})`);
    return [];
  }
  log(`webgpu adapter: ${webgpuBackend()!.description}`);
  try {
    return [
      await gpuMatmul(256), await gpuMatmul(512), await gpuMatmul(1024),
      ...(await gpuDispatch()), ...(await gpuFusion()), await gpuMlpStep(),
    ];
  } finally {
    await setBackend("cpu");
  }
}
