import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arange, concat, setBackend, stack, tensor, where, zeros, type Tensor } from "../../../lib/index.js";
import { webgpuBackend } from "../../../lib/backend/registry.js";
import { expectParity, hostInts, hostRandom } from "../../helpers/parity.js";

// Kernel paths the op suites reach only partly: long and chunked reductions, tree argmax,
// scatter, embed, int and bool kernels.
beforeAll(() => {
  process.env["EGL_PLATFORM"] ??= "surfaceless";
});
afterAll(async () => {
  await setBackend("cpu");
});

describe("WebGPU kernels agree with the CPU", () => {
  it("every unary op on floats, ints and strided views", async () => {
    const x = hostRandom([7, 33], 1, 4);
    const unary: ((t: Tensor) => Tensor)[] = [
      (t) => t.neg(), (t) => t.exp(), (t) => t.abs().add(0.1).log(), (t) => t.abs().log1p(),
      (t) => t.abs().sqrt(), (t) => t.sin(), (t) => t.cos(), (t) => t.tanh(), (t) => t.sigmoid(), (t) => t.relu(),
      (t) => t.sign(), (t) => t.reciprocal(), (t) => t.square(), (t) => t.clamp(-1, 2), (t) => t.logicalNot(),
    ];
    for (const f of unary) {
      await expectParity((t) => f(t), [x], 2e-5);
      await expectParity((t) => f(t.T), [x], 2e-5);
      await expectParity((t) => f(t.slice([1, 6, 2], [3, 30, 3])), [x], 2e-5);
    }
    const ints = hostInts([5, 6], 2, 20);
    await expectParity((t) => t.sub(10).neg().abs().square().sign(), [ints]);
    await expectParity((t) => t.sub(10).relu().add(t.T.T), [ints]);
  });

  it("binary ops with broadcasting, int arithmetic, pow edge cases and comparisons", async () => {
    const a = hostRandom([4, 1, 5], 3, 3);
    const b = hostRandom([3, 1], 4, 3);
    for (const f of [
      (x: Tensor, y: Tensor) => x.add(y), (x: Tensor, y: Tensor) => x.sub(y), (x: Tensor, y: Tensor) => x.mul(y),
      (x: Tensor, y: Tensor) => x.div(y), (x: Tensor, y: Tensor) => x.maximum(y), (x: Tensor, y: Tensor) => x.minimum(y),
      (x: Tensor, y: Tensor) => x.abs().pow(y), (x: Tensor, y: Tensor) => x.gt(y), (x: Tensor, y: Tensor) => x.le(y),
      (x: Tensor, y: Tensor) => where(x.gt(0), x, y),
    ]) {
      await expectParity(f, [a, b], 1e-4);
    }
    await expectParity((x) => x.pow(3), [{ values: [-2, -1.5, 0, 1.5, 2], shape: [5] }]);
    await expectParity((x) => x.pow(-2), [{ values: [-2, 0.5, 1, 4], shape: [4] }]);
    await expectParity((x) => x.pow(0.5), [{ values: [-4, 0, 2, 9], shape: [4] }]);
    await expectParity((x, y) => x.mul(y).add(y).sub(x).maximum(x), [hostInts([6], 5, 50), hostInts([6], 6, 50)]);
    await expectParity((x, y) => x.pow(y), [hostInts([6], 7, 5), hostInts([6], 8, 4)]);
    await expectParity((x, y) => x.eq(y).logicalNot().add(x.ne(y)), [hostInts([40], 9, 3), hostInts([40], 10, 3)]);
  });

  it("NaN propagates through maximum, minimum, max, min and argmax, as on the CPU", async () => {
    const a = { values: [NaN, 1, 2, NaN, -Infinity, 5], shape: [6] };
    const b = { values: [1, NaN, 3, NaN, 0, Infinity], shape: [6] };
    await expectParity((x, y) => x.maximum(y), [a, b]);
    await expectParity((x, y) => x.minimum(y), [a, b]);
    await expectParity((x) => x.max(), [a]);
    await expectParity((x) => x.min(), [a]);
    await expectParity((x) => x.argmax(), [b]);
    await expectParity((x) => x.argmin(), [a]);
    const long = { values: Float32Array.from({ length: 5000 }, (_, i) => (i === 3210 ? NaN : Math.sin(i))), shape: [5000] };
    await expectParity((x) => x.max(), [long]);
    await expectParity((x) => x.argmax(), [long]);
    await expectParity((x) => x.reshape(50, 100).max(1), [long]);
  });

  it("reductions: short, long, chunked and over several axes", async () => {
    const big = hostRandom([3, 20000], 11);
    for (const f of [(t: Tensor) => t.sum(1), (t: Tensor) => t.max(1), (t: Tensor) => t.min(1), (t: Tensor) => t.mean()]) {
      await expectParity(f, [big], 1e-4);
    }
    const cube = hostRandom([6, 7, 8, 9], 12);
    await expectParity((t) => t.sum([0, 2]), [cube], 1e-4);
    await expectParity((t) => t.permute(3, 1, 0, 2).max([1, 3]), [cube]);
    await expectParity((t) => t.sum(3, true).mean(0), [cube], 1e-4);
    await expectParity((t) => t.sum(), [hostRandom([300, 300], 13)], 1e-4);
    await expectParity((t) => t.sum(0), [hostInts([5000, 3], 14, 100)]);
    await expectParity((t) => t.gt(0).sum(1), [hostRandom([4, 9000], 15)]);
  });

  it("argmax and argmin: short axes per thread, long axes by workgroup tree, first index on ties", async () => {
    await expectParity((t) => t.argmax(1), [hostRandom([5, 3000], 16)]);
    await expectParity((t) => t.argmin(0), [hostRandom([3000, 5], 17)]);
    await expectParity((t) => t.argmax(), [hostRandom([100, 100], 18)]);
    await expectParity((t) => t.argmax(1), [{ values: [1, 3, 3, 2, 0, 0, 0, 0], shape: [2, 4] }]);
    await expectParity((t) => t.argmax(), [{ values: new Float32Array(5000).fill(7), shape: [5000] }]);
    await expectParity((t) => t.argmin(0), [hostInts([700, 2], 19, 4)]);
  });

  it("gather, scatter (gather's gradient), slicing gradients, concat and stack", async () => {
    const x = hostRandom([6, 10], 30);
    const idx = hostInts([6, 4], 31, 10);
    await expectParity((t, i) => t.gather(1, i), [x, idx]);
    await expectParity((t, i) => t.gather(0, i.slice([0, 3], [0, 2]).clamp(0, 5)), [x, idx]);
    await expectParity((t, i) => {
      const p = t.detach();
      p.requiresGrad = true;
      p.gather(1, i).mul(t.gather(1, i)).sum().backward();
      return p.grad!;
    }, [x, idx]);
    await expectParity((t) => {
      const p = t.detach();
      p.requiresGrad = true;
      p.slice([1, 5, 2], [0, 9, 3]).square().sum().backward();
      return p.grad!;
    }, [x]);
    await expectParity((a, b) => concat([a, b.T, a], 1), [hostRandom([3, 4], 32), hostRandom([2, 3], 33)]);
    await expectParity((a, b) => stack([a.gt(0), b.gt(0)], 1), [hostRandom([5], 34), hostRandom([5], 35)]);
    await expectParity((a) => concat([a.int(), a.T.contiguous().T.int()], 0), [hostRandom([2, 3], 36, 9)]);
  });

  it("casts between every dtype, and bool tensors through where", async () => {
    const x = { values: [-2.7, -0.5, 0, 0.5, 2.7, 1e9], shape: [6] };
    await expectParity((t) => t.int(), [x]);
    await expectParity((t) => t.bool(), [x]);
    await expectParity((t) => t.bool().int().float(), [x]);
    await expectParity((t) => t.int().bool(), [x]);
    await expectParity((t) => where(t.gt(0), t.int(), t.bool().int()), [x]);
  });
});

describe("grids larger than one dispatch dimension", () => {
  it("elementwise ops and reductions over 5 million elements (more than 65535 workgroups of 64)", async () => {
    await setBackend("webgpu");
    const n = 5_000_000;
    const x = zeros([n]).add(1);
    expect(await x.sum().item()).toBe(n);
    const data = await x.mul(arange(n).float()).data();
    expect(data[n - 1]).toBe(n - 1);
    expect(data[4_194_304]).toBe(4_194_304);
  });
});

describe("index errors on the GPU", () => {
  it("an uploaded index out of range throws at once, as on the CPU", async () => {
    await setBackend("webgpu");
    const scores = tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]]);
    expect(() => scores.gather(1, tensor([[3], [0]], { dtype: "int32" }))).toThrow(/gather: index 3 is out of range for axis 1 of size 3/);
  });

  it("a computed index out of range is reported by the next read", async () => {
    await setBackend("webgpu");
    // Small tensors would stay on the host, where the CPU code throws at once.
    webgpuBackend()!.hostOps = false;
    try {
      const scores = tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]]);
      const computed = tensor([[1], [0]], { dtype: "int32" }).add(2);
      const picked = scores.gather(1, computed);
      await expect(picked.data()).rejects.toThrow(/gather: index 3 is out of range for an axis of size 3/);
      // The flag is cleared once reported.
      expect(Array.from(await scores.data())).toHaveLength(6);
    } finally {
      webgpuBackend()!.hostOps = true;
    }
  });
});
