import { describe, expect, it } from "vitest";
import * as check from "../../../lib/check/index.js";
import { F, tensor, where, type Tensor } from "../../../lib/index.js";
import { capturePasses, failure } from "./helpers.js";

const printed = capturePasses();

describe("check.function", () => {
  it("passes for a correct implementation and says where it looked", () => {
    check.function((x) => x.neg().exp().add(1).reciprocal(), F.sigmoid, { name: "sigmoid" });
    expect(printed.lines).toEqual(["✓ sigmoid matches the reference at 101 points (inputs from -5 to 5)"]);
  });

  it("reports the first input where the outputs differ, with both outputs", () => {
    const wrong = (x: Tensor) => x.exp().add(1).reciprocal(); // σ(−x)
    const msg = failure(() => check.function(wrong, F.sigmoid, { name: "sigmoid", points: [0, 2] }));
    expect(msg).toContain("first difference at x = 2: yours 0.119203, reference 0.880797");
    expect(msg).toContain("1 of 2 points differ");
  });

  it("recognises the x = 0 convention of kinked functions", () => {
    const reluGrad = (x: Tensor) => x.ge(0).float(); // 1 at 0, PyTorch says 0
    const msg = failure(() => check.derivative(reluGrad, F.relu, { name: "ReLU′" }));
    expect(msg).toContain("first difference at x = 0: yours 1, reference 0");
    expect(msg).toContain("only x = 0 differs");
  });

  it("recognises overflow at large |x|", () => {
    const naive = (x: Tensor) => x.exp().div(x.exp().add(1)); // Infinity/Infinity = NaN at large x
    const msg = failure(() => check.function(naive, F.sigmoid, { points: [-1, 0, 1, 100] }));
    expect(msg).toContain("x = 100");
    expect(msg).toContain("exp(x) overflows");
  });

  it("turns exceptions, missing returns and wrong shapes into explanations", () => {
    const stub = () => {
      throw new Error("sigmoid: not implemented yet");
    };
    const msg = failure(() => check.function(stub, F.sigmoid, { name: "sigmoid" }));
    expect(msg).toContain("sigmoid threw an error: sigmoid: not implemented yet");
    expect(msg).toContain("YOUR CODE HERE");
    expect(failure(() => check.function((() => undefined) as never, F.sigmoid, { name: "tanh" }))).toContain("return");
    expect(failure(() => check.function((x) => x.sum(), F.sigmoid))).toContain("shape []");
    expect(failure(() => check.function(F.sigmoid(tensor(1)) as never, F.sigmoid))).toContain("not a function");
  });

  it("works on rows (softmax) and reports the output element", () => {
    const rows = tensor([[1, 2, 3], [0, 0, 0]]);
    check.function((x) => x.exp().div(x.exp().sum(1, true)), F.softmax, { points: rows, name: "softmax" });
    const msg = failure(() => check.function((x) => x.exp().div(x.exp().sum()), F.softmax, { points: rows }));
    expect(msg).toContain("x = ");
  });
});

describe("check.derivative", () => {
  it("compares with autograd's derivative of an elementwise function", () => {
    const s = (x: Tensor) => F.sigmoid(x).mul(F.sigmoid(x).neg().add(1));
    check.derivative(s, F.sigmoid, { name: "σ′" });
    const leaky = (x: Tensor) => where(x.gt(0), 1, 0.01);
    check.derivative(leaky, (x) => F.leakyRelu(x), { name: "leaky ReLU′" });
    expect(printed.lines).toHaveLength(2);
    const msg = failure(() => check.derivative((x) => F.tanh(x).square().neg().add(1).mul(2), F.tanh, { name: "tanh′" }));
    expect(msg).toContain("a factor of 2");
  });
});
