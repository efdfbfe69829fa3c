import { describe, expect, it } from "vitest";
import * as check from "../../../lib/check/index.js";
import { tensor, type Tensor } from "../../../lib/index.js";
import { capturePasses, failure } from "./helpers.js";

const printed = capturePasses();

// f(w) = mean((X·w − y)²) over m = 4 examples: ∇f = (2/m) Xᵀ(Xw − y).
const X = tensor([[1, 2], [3, 4], [5, 6], [7, 8]]);
const y = tensor([[1], [0], [1], [0]]);
const f = (w: Tensor) => X.matmul(w).sub(y).square().mean();
const w0 = tensor([[0.1], [-0.2]]);
const right = (w: Tensor) => X.T.matmul(X.matmul(w).sub(y)).mul(2 / 4);

describe("check.gradient", () => {
  it("accepts the right gradient as a tensor or as a function", () => {
    check.gradient(f, w0, right(w0), { name: "dw" });
    check.gradient(f, [[0.1], [-0.2]], right);
    expect(printed.lines[0]).toMatch(/^✓ dw agrees with finite differences at all 2 elements/);
  });

  it("finds a forgotten 1/m and a forgotten 2", () => {
    const noMean = X.T.matmul(X.matmul(w0).sub(y)).mul(2);
    expect(failure(() => check.gradient(f, w0, noMean, { name: "dw" }))).toContain("a factor of 4");
    const noTwo = X.T.matmul(X.matmul(w0).sub(y)).mul(1 / 4);
    expect(failure(() => check.gradient(f, w0, noTwo))).toContain("a factor of 2");
  });

  it("finds a flipped sign and reports the worst element with both values", () => {
    const msg = failure(() => check.gradient(f, w0, right(w0).neg(), { name: "dw" }));
    expect(msg).toContain("dw is not the gradient of f at x");
    expect(msg).toMatch(/largest error at \[\d, 0\]: yours -?\d/);
    expect(msg).toContain("wrong sign");
  });

  it("catches a transposed gradient by its shape", () => {
    expect(failure(() => check.gradient(f, w0, right(w0).T))).toContain("transposed");
  });

  it("uses a wider step and tolerance for float32 functions, and still fails wrong ones", () => {
    const f32 = (w: Tensor) => f(w.float());
    check.gradient(f32, w0, right(w0));
    expect(failure(() => check.gradient(f32, w0, right(w0).mul(1.1)))).toContain("1.1×");
  });

  it("insists on a scalar f", () => {
    expect(failure(() => check.gradient((w: Tensor) => X.matmul(w), w0, right(w0)))).toContain("single number");
  });
});
