import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arange, setBackend, tensor, where, zeros, type Tensor } from "../../../lib/index.js";
import { webgpuBackend } from "../../../lib/backend/registry.js";
import { MAX_FUSED_OPS } from "../../../lib/backend/webgpu/fusion.js";
import { expectClose } from "../../helpers/assert.js";

// The tensors here are small: without this they would stay on the host and never reach a kernel.
beforeAll(async () => {
  process.env["EGL_PLATFORM"] ??= "surfaceless";
  await setBackend("webgpu");
  webgpuBackend()!.hostOps = false;
});
afterAll(async () => {
  webgpuBackend()!.hostOps = true;
  await setBackend("cpu");
});

const dispatches = () => webgpuBackend()!.stats().dispatches;

/** Materializes a tensor (a read does) so later counts see only the work under test. */
async function ready(t: Tensor): Promise<Tensor> {
  await t.data();
  return t;
}

async function unfused<T>(fn: () => Promise<T>): Promise<T> {
  const be = webgpuBackend()!;
  be.fusion = false;
  try {
    return await fn();
  } finally {
    be.fusion = true;
  }
}

describe("fused elementwise chains", () => {
  it("a chain of elementwise ops runs as one kernel", async () => {
    const x = await ready(arange(1000).float().div(100));
    const before = dispatches();
    const y = x.mul(2).add(1).tanh().square().neg().add(1).mul(x).sigmoid();
    expect(dispatches()).toBe(before);
    const values = await y.data();
    expect(dispatches()).toBe(before + 1);
    const want = await unfused(async () => x.mul(2).add(1).tanh().square().neg().add(1).mul(x).sigmoid().data());
    expectClose(Array.from(values), Array.from(want), 1e-6);
  });

  it("mixed dtypes, comparisons, casts and where fuse with the same results as unfused kernels", async () => {
    const i = await ready(arange(-20, 20));
    const f = await ready(arange(40).float().mul(0.37).sin());
    const chain = () => where(i.gt(0).logicalNot(), i.float().mul(f).exp(), f.abs().sqrt()).add(i.square().float()).int().maximum(i).cast("float32").relu();
    const fused = await chain().array();
    const plain = await unfused(() => chain().array());
    expect(fused).toEqual(plain);
  });

  it("a result nobody reads or uses is never computed", async () => {
    const x = await ready(arange(100).float());
    const before = dispatches();
    for (let k = 0; k < 10; k++) x.mul(k).add(1).exp();
    webgpuBackend()!.flush();
    expect(dispatches()).toBe(before);
  });

  it("a lazy input seen through a transpose or a broadcast is computed first, then read by strides", async () => {
    const m = await ready(arange(12).float().reshape(3, 4));
    const lazy = m.mul(2).add(1);
    expect(await lazy.T.add(m.T).array()).toEqual(await unfused(async () => m.mul(2).add(1).T.add(m.T).array()));
    const row = m.sum(0).mul(0.5);
    expect(await row.add(m).array()).toEqual(await unfused(async () => m.sum(0).mul(0.5).add(m).array()));
  });

  it("chains longer than one kernel allows, and with more inputs than a kernel can bind, are split", async () => {
    const parts = await Promise.all(Array.from({ length: 12 }, (_, k) => ready(arange(5).float().add(k))));
    const before = dispatches();
    let acc = parts[0]!;
    for (const p of parts.slice(1)) acc = acc.add(p).mul(1);
    const got = await acc.array();
    expect(dispatches() - before).toBeGreaterThan(1);
    let y = await ready(tensor([0.5, 1, 2]));
    const beforeY = dispatches();
    for (let k = 0; k < 40; k++) y = y.add(1).mul(0.5);
    await y.data();
    expect(dispatches() - beforeY).toBe(Math.ceil(80 / MAX_FUSED_OPS));
    const want = await unfused(async () => {
      let a = parts[0]!;
      for (const p of parts.slice(1)) a = a.add(p).mul(1);
      return a.array();
    });
    expect(got).toEqual(want);
    // y converges to 1 from any start: y ← (y + 1) / 2.
    expectClose(await y.array(), [1, 1, 1], 1e-6);
  });

  it("disposing an input of a pending chain does not let its memory be reused under the chain", async () => {
    const x = await ready(arange(4096).float());
    const y = x.mul(2).add(3);
    x.dispose();
    // New tensors of the same size would take x's buffer if it had gone back to the pool.
    const others = await Promise.all(Array.from({ length: 4 }, () => ready(zeros([4096]).add(7))));
    const values = await y.data();
    expect(values[0]).toBe(3);
    expect(values[4095]).toBe(4095 * 2 + 3);
    expect((await others[0]!.data())[0]).toBe(7);
  });
});
