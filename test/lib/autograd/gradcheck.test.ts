import { describe, expect, it } from "vitest";
import { gradcheck, tensor, Tensor } from "../../../lib/index.js";
import { record } from "../../../lib/ops/util.js";

// An op with a deliberately wrong gradient rule (claims d/dx x² = x), to prove gradcheck catches it.
function badSquare(x: Tensor): Tensor {
  const out = x.detach().square();
  return record(out, "badSquare", [x], (g) => [g.mul(x)]);
}

describe("gradcheck", () => {
  it("passes a correct gradient", () => {
    expect(gradcheck((x) => x.square().sum(), [tensor([1, 2, 3])])).toBe(true);
  });

  it("fails a wrong gradient and reports the worst element", () => {
    expect(() => gradcheck((x) => badSquare(x), [tensor([[1, 2], [3, 4]])])).toThrow(
      /Worst: input 0 element \[1,1\], output \[1,1\]: analytic 4, numeric 8\.0+\d*/,
    );
    expect(gradcheck((x) => badSquare(x), [tensor([1, 2])], { raise: false })).toBe(false);
  });
});
