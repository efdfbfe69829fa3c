import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memory, setBackend } from "../../../lib/index.js";
import { webgpuBackend } from "../../../lib/backend/registry.js";
import { makeMlp } from "../../helpers/mlp.js";

beforeAll(() => {
  process.env["EGL_PLATFORM"] ??= "surfaceless";
});
afterAll(async () => {
  await setBackend("cpu");
});

async function losses(name: "cpu" | "webgpu", steps: number): Promise<number[]> {
  await setBackend(name);
  const { step } = makeMlp();
  const out: number[] = [];
  for (let i = 0; i < steps; i++) out.push((await step().item()) as number);
  return out;
}

/** Lets FinalizationRegistry callbacks run: they are tasks, queued after garbage collection. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("training on WebGPU", () => {
  it("gives the same losses as the CPU, step by step", async () => {
    const cpu = await losses("cpu", 40);
    const gpu = await losses("webgpu", 40);
    expect(cpu[39]!).toBeLessThan(cpu[0]! * 0.7);
    gpu.forEach((l, i) => expect(Math.abs(l - cpu[i]!), `step ${i}: ${l} vs ${cpu[i]}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(cpu[i]!))));
  });

  it("keeps live GPU memory flat over 3,000 steps without a single dispose()", async () => {
    await setBackend("webgpu");
    const { step } = makeMlp(64, 128, 10, 128, 3);
    const live: number[] = [];
    const pooled: number[] = [];
    let last = 0;
    for (let i = 1; i <= 3000; i++) {
      const loss = step(0.05);
      if (i % 50 === 0) {
        // Reading the loss is what a training loop does anyway; awaiting it lets the collector's
        // finalizers return buffers to the pool.
        last = (await loss.item()) as number;
        await settle();
        live.push(memory().bytes);
        pooled.push(webgpuBackend()!.stats().pool.allocatedBytes);
      }
    }
    expect(Number.isFinite(last)).toBe(true);
    const early = Math.max(...live.slice(5, 20));
    const late = Math.max(...live.slice(40));
    expect(late, `live bytes early ${early}, late ${late}`).toBeLessThanOrEqual(early * 1.5);
    // GPU memory actually held (live tensors plus the pool's free buffers) stays flat too:
    // buffers are reused, not created anew.
    const heldEarly = Math.max(...pooled.slice(5, 20));
    const heldLate = Math.max(...pooled.slice(40));
    const stats = JSON.stringify(webgpuBackend()!.stats());
    expect(heldLate, `pool bytes early ${heldEarly}, late ${heldLate}; ${stats}`).toBeLessThanOrEqual(heldEarly * 1.5);
  }, 300_000);
});
