import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { concat, full, setBackend, tensor, where, zeros, type Tensor } from "../../../lib/index.js";
import { webgpuBackend } from "../../../lib/backend/registry.js";
import { HOST_MAX_ELEMENTS } from "../../../lib/backend/webgpu/webgpu-backend.js";
import { expectClose } from "../../helpers/assert.js";
import { hostInts, hostRandom, type HostInput } from "../../helpers/parity.js";

// Small tensors made from host values stay on the host on WebGPU, and ops on them run on the
// CPU code, until a GPU kernel needs them (WebGpuBackend.hostOps).
beforeAll(async () => {
  process.env["EGL_PLATFORM"] ??= "surfaceless";
  await setBackend("webgpu");
});
afterAll(async () => {
  webgpuBackend()!.hostOps = true;
  await setBackend("cpu");
});

const be = () => webgpuBackend()!;
const make = (x: HostInput): Tensor => tensor(Array.from(x.values), { dtype: x.dtype ?? "float32" }).reshape([...x.shape]);

/** The result with hostOps on (asserting no GPU work) and off (every op a GPU kernel). */
async function bothWays(build: (...xs: Tensor[]) => Tensor, inputs: readonly HostInput[]): Promise<{ host: number[]; gpu: number[]; dtype: string }> {
  be().hostOps = true;
  const before = be().stats().dispatches;
  const onHost = build(...inputs.map(make));
  const host = Array.from(await onHost.data(), Number);
  expect(be().stats().dispatches).toBe(before);
  be().hostOps = false;
  try {
    const onGpu = build(...inputs.map(make));
    expect(onGpu.dtype).toBe(onHost.dtype);
    expect(onGpu.shape).toEqual(onHost.shape);
    return { host, gpu: Array.from(await onGpu.data(), Number), dtype: onHost.dtype };
  } finally {
    be().hostOps = true;
  }
}

describe("small tensors on WebGPU stay on the host", () => {
  const x = hostRandom([6, 5], 1, 2);
  const y = hostRandom([1, 5], 2, 2);
  const idx = hostInts([6, 2], 3, 5);
  const grad = (f: (p: Tensor) => Tensor) => (t: Tensor) => {
    const p = t.detach();
    p.requiresGrad = true;
    f(p).sum().backward();
    return p.grad!;
  };
  const cases: [string, (...xs: Tensor[]) => Tensor, HostInput[]][] = [
    ["unary ops", (a) => a.exp().add(a.tanh()).add(a.sigmoid()).sub(a.relu()), [x]],
    ["binary ops with broadcasting", (a, b) => a.mul(b).div(b.abs().add(1)).sub(a.abs().pow(b)), [x, y]],
    ["where and comparisons", (a, b) => where(a.gt(b), a, b.neg()), [x, y]],
    ["casts", (a) => a.mul(3).int().add(a.gt(0).int()), [x]],
    ["reductions", (a) => a.sum(1).add(a.max(1)).add(a.mean(1)).add(a.argmax(1).float()), [x]],
    ["matmul", (a, b) => a.matmul(b.T), [x, y]],
    ["gather and its gradient (scatter-add)", (a, i) => a.gather(1, i).add(grad((p) => p.gather(1, i).square())(a).sum(1, true).slice(null, [0, 2])), [x, idx]],
    ["slicing's gradient (embed) and concat", (a) => concat([grad((p) => p.slice([1, 5, 2], [0, 4]))(a), a], 0), [x]],
    ["zeros and full", (a) => a.add(zeros([6, 5])).add(full([5], 0.5)), [x]],
  ];
  it.each(cases)("%s: no GPU work, and the GPU kernels' values", async (_name, build, inputs) => {
    const { host, gpu } = await bothWays(build, inputs);
    expectClose(host, gpu, 1e-5);
  });

  it("a read of a host tensor needs no GPU work and allocates no GPU memory", async () => {
    const before = be().stats();
    const ts = Array.from({ length: 200 }, (_, k) => tensor([k, k + 1, k + 2]).mul(2));
    const values = await Promise.all(ts.map((t) => t.data()));
    expect(Array.from(values[199]!)).toEqual([398, 400, 402]);
    const after = be().stats();
    expect(after.dispatches).toBe(before.dispatches);
    expect(after.pool.allocatedBytes).toBe(before.pool.allocatedBytes);
    expect(after.cellSlabs).toBe(before.cellSlabs);
  });

  it("results above the size limit, and ops reading GPU tensors, run on the GPU", async () => {
    const small = tensor([1, 2]);
    const before = be().stats().dispatches;
    const big = small.reshape(2, 1).add(zeros([1, HOST_MAX_ELEMENTS])); // 2 × limit elements
    expect(await big.sum().item()).toBe(3 * HOST_MAX_ELEMENTS);
    expect(be().stats().dispatches).toBeGreaterThan(before);
  });
});

describe("host tensors meet GPU tensors", () => {
  const rows = 300;
  const gpuX = () => tensor(Array.from({ length: rows * 4 }, (_, i) => (i % 7) - 3)).reshape(rows, 4);

  it("are copied to the GPU when a kernel reads them: broadcast, matmul, a fused chain", async () => {
    const x = gpuX();
    const bias = tensor([1, -1, 0.5, 2]);
    const w = tensor([[1, 0], [0, 1], [1, 1], [2, -1]]);
    const xs = Array.from(await x.data());
    const sum = Array.from(await x.add(bias).data());
    expect(sum.slice(0, 8)).toEqual(xs.slice(0, 8).map((v, i) => v + [1, -1, 0.5, 2][i % 4]!));
    const prod = await x.matmul(w).data();
    for (const r of [0, 1, 299]) {
      const [a, b, c, d] = xs.slice(r * 4, r * 4 + 4) as [number, number, number, number];
      expect([prod[2 * r], prod[2 * r + 1]]).toEqual([a + c + 2 * d, b + c - d]);
    }
    const chain = Array.from(await x.mul(2).add(bias).relu().data());
    expect(chain.slice(0, 8)).toEqual(xs.slice(0, 8).map((v, i) => Math.max(0, 2 * v + [1, -1, 0.5, 2][i % 4]!)));
  });

  it("a host index out of range into a GPU tensor throws at once", () => {
    expect(() => gpuX().gather(0, tensor([[0], [rows]], { dtype: "int32" }))).toThrow(new RegExp(`gather: index ${rows} is out of range for axis 0 of size ${rows}`));
  });

  it("a disposed host tensor cannot be used, but a pending chain that read it still computes", async () => {
    const t = tensor([1, 2, 3]);
    t.dispose();
    expect(() => t.add(1)).toThrow(/disposed/);
    const x = gpuX();
    const bias = tensor([1, 1, 1, 1]);
    const y = x.add(bias); // lazy: runs at the read below
    bias.dispose();
    expect((await y.data())[0]).toBe((await x.data())[0]! + 1);
  });

  it("a host tensor's GPU copy is taken back after the work that read it, even in a loop that never awaits", async () => {
    const x = gpuX();
    const slabs: number[] = [];
    let last: Tensor | null = null;
    for (let round = 0; round < 5; round++) {
      // Each small weight is copied to a GPU cell for its matmul; nothing here yields to finalizers.
      for (let k = 0; k < 1500; k++) last = x.matmul(tensor([[k], [1], [0], [0]]));
      be().flush();
      slabs.push(be().stats().cellSlabs);
    }
    // Kept until the tensor is collected, the copies would take 6 more slabs of 256 cells a round.
    expect(slabs[4]! - slabs[1]!).toBeLessThan(2);
    const xs = await x.data();
    expect((await last!.data())[1]).toBe(1499 * xs[4]! + xs[5]!);
  });

  it("a host tensor read by work in several batches keeps its copy while any of it is recorded", async () => {
    const x = gpuX();
    const w = tensor([[1], [2], [3], [4]]);
    const outs: Tensor[] = [];
    // 256 dispatches fill a batch: these matmuls span four, each submitted mid-dispatch.
    for (let k = 0; k < 1000; k++) outs.push(x.matmul(w));
    const xs = await x.data();
    const want = xs[0]! + 2 * xs[1]! + 3 * xs[2]! + 4 * xs[3]!;
    for (const k of [0, 256, 511, 999]) expect((await outs[k]!.data())[0]).toBe(want);
  });

  it("keeps WebGPU's rules: no float64, and no synchronous reads", () => {
    expect(() => tensor([1, 2], { dtype: "float64" })).toThrow(/float64 exists on the CPU backend only/);
    expect(() => tensor([1, 2]).dataSync()).toThrow(/await t\.data\(\)/);
  });
});
