import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendInfo, getBackend, memory, onesLike, optim, plot, setBackend, tensor, zeros, zerosLike } from "../../../lib/index.js";
import { webgpuBackend } from "../../../lib/backend/registry.js";

beforeAll(() => {
  process.env["EGL_PLATFORM"] ??= "surfaceless";
});
afterAll(async () => {
  await setBackend("cpu");
});

describe("switching backends and moving tensors", () => {
  it("setBackend switches where new tensors live; backendInfo says which adapter", async () => {
    expect(await setBackend("webgpu")).toBe("webgpu");
    expect(getBackend()).toBe("webgpu");
    expect(backendInfo().reason).toMatch(/setBackend\('webgpu'\): .+/);
    expect(tensor([1, 2]).device).toBe("webgpu");
    expect(await setBackend("cpu")).toBe("cpu");
    expect(tensor([1, 2]).device).toBe("cpu");
    await expect(setBackend("tpu" as never)).rejects.toThrow(/unknown backend "tpu"/);
  });

  it("t.to() copies between backends, both ways, keeping dtype and requiresGrad of leaves", async () => {
    await setBackend("cpu");
    const c = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const g = await c.to("webgpu");
    expect(g.device).toBe("webgpu");
    expect(g.requiresGrad).toBe(true);
    expect(await g.mul(2).array()).toEqual([[2, 4], [6, 8]]);
    const back = await g.T.to("cpu");
    expect(back.device).toBe("cpu");
    expect(back.arraySync()).toEqual([[1, 3], [2, 4]]);
    const flags = await tensor([true, false]).to("webgpu");
    expect(flags.dtype).toBe("bool");
    expect(await flags.array()).toEqual([true, false]);
    expect(await c.to("cpu")).toBe(c);
    await expect(tensor([1], { dtype: "float64" }).to("webgpu")).rejects.toThrow(/float64 exists on the CPU backend only/);
  });

  it("mixing backends in one op is an error that names the fix", async () => {
    await setBackend("cpu");
    const c = tensor([1, 2]);
    const g = await c.to("webgpu");
    expect(() => c.add(g)).toThrow(/different backends \(cpu and webgpu\); move one with \.to\("cpu"\)/);
    expect(() => g.matmul(c)).toThrow(/different backends \(webgpu and cpu\)/);
  });

  it("sync reads on WebGPU name the async form; printing shows values it has, else says how to read", async () => {
    await setBackend("webgpu");
    const t = tensor([1, 2]);
    expect(() => t.dataSync()).toThrow(/dataSync: the webgpu backend reads values asynchronously; use `await t\.data\(\)`/);
    expect(() => t.arraySync()).toThrow(/use `await t\.array\(\)`/);
    expect(() => tensor(3).itemSync()).toThrow(/use `await t\.item\(\)`/);
    // A small tensor lives on the host: its values print at once.
    expect(String(t.mul(2))).toMatch(/^tensor\(\[2\., 4\.\]/);
    // One in GPU memory prints its values once they were read back.
    const onGpu = zeros([3000]).add(1);
    expect(String(onGpu)).toMatch(/^tensor\(<on webgpu: await t\.data\(\) to read>, shape=\[3000\]/);
    await onGpu.data();
    expect(String(onGpu)).toMatch(/^tensor\(\[1\., 1\., 1\., \.\.\., 1\., 1\., 1\.\]/);
    expect(String(onGpu.add(1))).toMatch(/await t\.data\(\)/);
    // A tensor as a cell's result: the kernel awaits this bundle, which reads the values.
    const display = (t as unknown as Record<symbol, () => Promise<Record<string, string>>>)[Symbol.for("Jupyter.display")]!;
    expect((await display.call(t))["text/plain"]).toMatch(/1.*2/);
  });

  it("float64 stays on the CPU", async () => {
    await setBackend("webgpu");
    expect(() => tensor([1], { dtype: "float64" })).toThrow(/float64 exists on the CPU backend only/);
    expect(() => tensor([1]).cast("float64")).toThrow(/float64 exists on the CPU backend only/);
  });
});

describe("tensors made for another tensor follow its backend, not the current one", () => {
  it("backward() seeds on the output's backend, and zerosLike/onesLike follow their tensor", async () => {
    await setBackend("cpu");
    const w = tensor([1, 2, 3], { requiresGrad: true });
    await setBackend("webgpu");
    w.square().sum().backward();
    expect(w.grad!.device).toBe("cpu");
    expect(Array.from(w.grad!.dataSync())).toEqual([2, 4, 6]);
    w.grad = null;
    w.mul(2).backward([1, 0, 1]);
    expect(Array.from(w.grad!.dataSync())).toEqual([2, 0, 2]);
    expect(zerosLike(w).device).toBe("cpu");
    expect(onesLike(w).device).toBe("cpu");
    expect(zeros([2]).device).toBe("webgpu");
  });

  it("plot.descentPath (which runs on the CPU) works while WebGPU is current", async () => {
    await setBackend("webgpu");
    const path = plot.descentPath((x, y) => x.square().add(y.square().mul(10)), { start: [-4, 1.5], optimizer: (p) => new optim.SGD(p, { lr: 0.09 }), steps: 40 });
    expect(path.points).toHaveLength(41);
    // x ← x − 0.09 · 2x each step.
    expect(path.points[40]![0]).toBeCloseTo(-4 * 0.82 ** 40, 5);
  });
});

describe("GPU memory", () => {
  it("memory() counts live GPU tensors; dispose() frees at once and the pool reuses the buffer", async () => {
    await setBackend("webgpu");
    const before = memory();
    const t = zeros([1000, 10]);
    expect(memory().bytes - before.bytes).toBe(40_000);
    expect(memory().tensors - before.tensors).toBe(1);
    t.dispose();
    expect(memory().bytes).toBe(before.bytes);
    await expect(t.data()).rejects.toThrow(/disposed/);
    const created = webgpuBackend()!.stats().pool.buffers;
    webgpuBackend()!.flush();
    const again = zeros([1000, 10]);
    expect(webgpuBackend()!.stats().pool.buffers).toBe(created);
    expect(Array.from(await again.data()).every((v) => v === 0)).toBe(true);
  });

  it("buffers the pool lets go in the middle of recorded work are not destroyed under it", async () => {
    await setBackend("webgpu");
    const be = webgpuBackend()!;
    be.setPoolLimit(2 ** 20);
    try {
      const inputs = Array.from({ length: 12 }, (_, k) => tensor(new Float32Array(65536).fill(k)));
      const sums = inputs.map((t) => t.mul(2).sum());
      // Freed while their kernels are recorded but not yet submitted: 3 MiB over the pool's limit.
      for (const t of inputs) t.dispose();
      expect(await Promise.all(sums.map((s) => s.item()))).toEqual(inputs.map((_, k) => 65536 * 2 * k));
    } finally {
      be.setPoolLimit(256 * 2 ** 20);
    }
  });

  it("an upload never lands in memory that recorded, unsubmitted work still reads", async () => {
    await setBackend("webgpu");
    for (const n of [16, 65536]) {
      const t = tensor(new Float32Array(n).fill(1));
      const total = t.mul(2).sum();
      t.dispose();
      // The queue writes uploads before it runs recorded work: reusing t's memory would change total.
      const u = tensor(new Float32Array(n).fill(100));
      expect(await total.item()).toBe(2 * n);
      expect(await u.sum().item()).toBe(100 * n);
    }
  });

  it("a tensor larger than the GPU allows is an error that says what to do, not a crash", async () => {
    await setBackend("webgpu");
    expect(() => zeros([2 ** 29, 8])).toThrow(/larger than this GPU allows for one buffer .*smaller tensors/);
    expect(await tensor([1, 2]).add(1).array()).toEqual([2, 3]);
  });
});

describe("device loss", () => {
  it("a lost device gives errors that say to call setBackend again, which brings a new device", async () => {
    await setBackend("webgpu");
    const t = tensor([1, 2, 3]);
    webgpuBackend()!.destroy();
    expect(() => t.add(1)).toThrow(/the WebGPU device was lost .*await setBackend\("webgpu"\)/);
    await expect(t.data()).rejects.toThrow(/the WebGPU device was lost/);
    expect(await setBackend("webgpu")).toBe("webgpu");
    expect(await tensor([1, 2, 3]).mul(2).array()).toEqual([2, 4, 6]);
    expect(() => t.add(1)).toThrow(/device was lost/);
  });
});
