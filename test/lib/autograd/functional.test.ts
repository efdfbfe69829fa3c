import { describe, expect, it } from "vitest";
import { grad, tensor, valueAndGrad, Tensor } from "../../../lib/index.js";
import { expectTensorAsync } from "../../helpers/assert.js";
import { backends, onBackend } from "../../helpers/backends.js";

describe.each(backends)("grad and valueAndGrad on %s", (backend) => {
  onBackend(backend);

  it("accepts numbers and returns tensors", async () => {
    const df = grad((x: Tensor) => x.square().mul(3));
    const g = df(2);
    expect(g).toBeInstanceOf(Tensor);
    expect(await g.item()).toBe(12);
  });

  it("grad(grad(f)): x³ → 6x; the third derivative is 6", async () => {
    const cube = (x: Tensor) => x.pow(3);
    expect(await grad(grad(cube))(2).item()).toBeCloseTo(12, 5);
    expect(await grad(grad(grad(cube)))(5).item()).toBeCloseTo(6, 5);
  });

  it("second derivative of sigmoid", async () => {
    const d2 = grad(grad((x: Tensor) => x.sigmoid()));
    const s = 1 / (1 + Math.exp(-0.5));
    expect(await d2(0.5).item()).toBeCloseTo(s * (1 - s) * (1 - 2 * s), 6);
  });

  it("argnums picks which arguments to differentiate", async () => {
    const f = (x: Tensor, y: Tensor) => x.mul(y).add(y.square());
    expect(await grad(f, { argnums: 1 })(tensor(3), 4).item()).toBe(11);
    const [gx, gy] = grad(f, { argnums: [0, 1] })(3, 4);
    expect(await gx!.item()).toBe(4);
    expect(await gy!.item()).toBe(11);
    expect(() => grad(f, { argnums: 2 })(tensor(1), 2)).toThrow(/names argument 2, but the function was called with 2 argument/);
  });

  it("valueAndGrad returns both from one pass", async () => {
    const [v, g] = valueAndGrad((w: Tensor) => w.square().sum())(tensor([1, 2, 3]));
    expect(await v.item()).toBe(14);
    await expectTensorAsync(g, [2, 4, 6]);
  });

  it("leaves .grad of the inputs alone, and the results carry no graph", async () => {
    const w = tensor([1, 2]);
    const g = grad((x: Tensor) => x.square().sum())(w);
    expect(w.grad).toBeNull();
    expect(g.requiresGrad).toBe(false);
  });

  it("a function that ignores its input has zero gradient", async () => {
    await expectTensorAsync(grad(() => tensor(5))(tensor([1, 2])), [0, 0]);
  });

  it("non-scalar outputs are an error with a hint", async () => {
    expect(() => grad((x: Tensor) => x.mul(2))(tensor([1, 2]))).toThrow(/must return a single value \(a scalar loss\), got shape \[2\]; reduce it/);
  });
});
