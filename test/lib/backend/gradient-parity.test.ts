import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arange, concat, setBackend, stack, tensor, where, type Tensor } from "../../../lib/index.js";
import { expectClose } from "../../helpers/assert.js";
import { hostInts, hostRandom, type HostInput } from "../../helpers/parity.js";

// gradcheck needs float64 and so runs on the CPU (test/lib/autograd); here every differentiable
// op's gradients on WebGPU are checked against the CPU's, from the same float32 inputs.
beforeAll(() => {
  process.env["EGL_PLATFORM"] ??= "surfaceless";
});
afterAll(async () => {
  await setBackend("cpu");
});

const r = (...shape: number[]) => hostRandom(shape, shape.reduce((a, b) => a * 31 + b, 7));
const pos = (...shape: number[]): HostInput => {
  const x = r(...shape);
  return { ...x, values: Float32Array.from(x.values, (v) => Math.abs(v) + 0.5) };
};
const idx = hostInts([2, 2], 5, 3);

const ops: [string, (...xs: Tensor[]) => Tensor, HostInput[]][] = [
  ["add (broadcast)", (a, b) => a.add(b), [r(2, 3), r(3)]],
  ["sub (broadcast)", (a, b) => a.sub(b), [r(2, 1), r(1, 3)]],
  ["mul (broadcast)", (a, b) => a.mul(b), [r(4, 1, 2), r(3, 1)]],
  ["div", (a, b) => a.div(b), [r(3), pos(3)]],
  ["pow (both)", (a, b) => a.pow(b), [pos(3), r(3)]],
  ["pow (number)", (a) => a.pow(3), [r(4)]],
  ["maximum", (a, b) => a.maximum(b), [r(5), r(5)]],
  ["minimum", (a, b) => a.minimum(b), [r(5), r(5)]],
  ["clamp", (a) => a.clamp(-0.5, 0.5), [{ values: [-1.2, -0.3, 0.1, 0.9], shape: [4] }]],
  ["unary chain", (a) => a.neg().exp().add(a.abs().log1p()).add(a.sin()).add(a.cos()).add(a.tanh()).add(a.sigmoid()).add(a.relu()).add(a.square()), [r(9)]],
  ["log, sqrt, reciprocal", (a) => a.log().add(a.sqrt()).add(a.reciprocal()), [pos(6)]],
  ["softmax", (a) => a.softmax(), [r(2, 4)]],
  ["logSoftmax axis 0", (a) => a.logSoftmax(0), [r(3, 2)]],
  ["sum, mean, max, min", (a) => a.sum(1, true).add(a.mean([0, 1])).add(a.max(1, true)).add(a.min(0)), [r(3, 4)]],
  ["matmul batched broadcast", (a, b) => a.matmul(b), [r(2, 3, 4), r(4, 2)]],
  ["matmul vector, dot", (a, b) => a.matmul(b).dot(a.matmul(b)), [r(4), r(4, 2)]],
  ["reshape, transpose, permute, expand", (a, b) => a.reshape(3, 2).T.matmul(b.expand(3, 2)).permute(1, 0), [r(2, 3), r(1, 2)]],
  ["slice and index", (a) => a.slice([1, 3], [0, undefined, 2]).add(a.at(1).sum()), [r(4, 5)]],
  ["concat and stack", (a, b) => concat([a, b], 1).sum(0).add(stack([a.sum(1), b.sum(1)]).sum()), [r(2, 2), r(2, 3)]],
  ["gather", (a, i) => a.gather(1, i), [r(2, 3), idx]],
  ["where", (a, b) => where(a.gt(0), a, b), [r(6), r(6)]],
  ["composite MLP", (x, w1, w2) => x.matmul(w1).tanh().matmul(w2).sigmoid().mean(), [r(4, 3), r(3, 5), r(5, 1)]],
];

async function gradients(name: "cpu" | "webgpu", f: (...xs: Tensor[]) => Tensor, inputs: HostInput[]) {
  await setBackend(name);
  const xs = inputs.map((x) => {
    const t = tensor(Array.from(x.values), { dtype: x.dtype ?? "float32" }).reshape([...x.shape]).detach();
    if (t.dtype === "float32") t.requiresGrad = true;
    return t;
  });
  const out = f(...xs);
  // A weight per output element, so every element's gradient path matters.
  const weights = arange(out.size).float().mul(0.7).sin().add(1.3).reshape([...out.shape]);
  out.mul(weights).sum().backward();
  return Promise.all(xs.filter((x) => x.requiresGrad).map(async (x) => ({ shape: x.grad!.shape, values: await x.grad!.array() })));
}

describe("WebGPU gradients agree with CPU gradients", () => {
  for (const [name, f, inputs] of ops) {
    it(name, async () => {
      const cpu = await gradients("cpu", f, inputs);
      const gpu = await gradients("webgpu", f, inputs);
      expect(gpu.length).toBe(cpu.length);
      gpu.forEach((g, i) => {
        expect(g.shape).toEqual(cpu[i]!.shape);
        expectClose(g.values, cpu[i]!.values, 1e-4);
      });
    });
  }

  it("second derivatives (createGraph) agree too", async () => {
    const second = async (name: "cpu" | "webgpu") => {
      await setBackend(name);
      const x = tensor([-1.5, -0.2, 0.4, 2], { requiresGrad: true });
      x.sigmoid().mul(x.tanh()).sum().backward(undefined, { createGraph: true });
      const g = x.grad!;
      x.grad = null;
      g.sum().backward();
      return x.grad!.array();
    };
    expectClose(await second("webgpu"), await second("cpu"), 1e-5);
  });
});
