import { describe, expect, it } from "vitest";
import { arange, tensor, zeros } from "../../../lib/index.js";

describe("toString prints like PyTorch", () => {
  it("scalars and vectors", () => {
    expect(tensor(3).toString()).toBe("tensor(3.)");
    expect(tensor([1, 2, 3]).toString()).toBe("tensor([1., 2., 3.])");
    expect(tensor([1.5, -2, 0.25]).toString()).toBe("tensor([ 1.5000, -2.0000,  0.2500])");
    expect(arange(3).toString()).toBe("tensor([0, 1, 2], dtype=int32)");
    expect(tensor([true, false]).toString()).toBe("tensor([ true, false], dtype=bool)");
  });

  it("matrices align columns and name the shape", () => {
    expect(tensor([[1, 2], [30, 4]]).toString()).toBe("tensor([[ 1.,  2.],\n        [30.,  4.]], shape=[2, 2])");
  });

  it("switches to e-notation for wide ranges, and shows nan/inf", () => {
    expect(tensor([1e-6, 1]).toString()).toBe("tensor([1.0000e-06, 1.0000e+00])");
    expect(tensor([NaN, Infinity, 1]).toString()).toBe("tensor([nan, inf,  1.])");
  });

  it("elides large tensors, keeping the first and last three of each axis", () => {
    const s = arange(2000).reshape(40, 50).toString();
    expect(s.split("\n")).toHaveLength(7);
    expect(s).toContain("[   0,    1,    2, ...,   47,   48,   49]");
    expect(s).toContain("[1950, 1951, 1952, ..., 1997, 1998, 1999]");
    expect(s).toContain("shape=[40, 50]");
  });

  it("shows the grad function or requiresGrad", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(x.toString()).toBe("tensor([1., 2.], requiresGrad=true)");
    expect(x.mul(2).toString()).toBe("tensor([2., 4.], gradFn=mul)");
  });

  it("prints empty tensors and 3-d tensors with blank lines between blocks", () => {
    expect(zeros([0, 3]).toString()).toBe("tensor([], shape=[0, 3])");
    expect(arange(8).reshape(2, 2, 2).toString()).toBe(
      "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]], shape=[2, 2, 2], dtype=int32)",
    );
  });

  it("has a Jupyter display bundle with text/plain", async () => {
    const bundle = await tensor([1, 2])[Symbol.for("Jupyter.display")]();
    expect(bundle["text/plain"]).toBe("tensor([1., 2.])");
    expect(bundle["text/plain"]).not.toMatch(/\u001b\[/);
  });
});
