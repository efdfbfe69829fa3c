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

describe("gradcheck on WebGPU: float64 on CPU copies of the inputs", () => {
  it("checks a function of WebGPU tensors, and says where it computed when it fails", async () => {
    process.env["EGL_PLATFORM"] ??= "surfaceless";
    const { setBackend, F } = await import("../../../lib/index.js");
    await setBackend("webgpu");
    try {
      const x = tensor([[0.5, -1.2], [2, 0.3]]);
      expect(x.device).toBe("webgpu");
      expect(gradcheck((a) => F.elu(a).mul(a).softmax(1).sum(0).square().sum(), [x])).toBe(true);
      expect(() => gradcheck((a) => badSquare(a), [x])).toThrow(/disagree \(computed in float64 on CPU copies of the webgpu inputs\)/);
      const captured = tensor([1, 2]);
      expect(() => gradcheck((a) => a.mul(captured).sum(), [tensor([3, 4])])).toThrow(/f uses a tensor on webgpu that it did not get as an input/);
      const { zeros } = await import("../../../lib/index.js");
      const big = zeros([2000]).add(1);
      expect(() => gradcheck((a) => a.sum(), [big])).toThrow(/input 0 \[2000\] is in webgpu memory.*await t\.to\("cpu"\)/);
    } finally {
      await setBackend("cpu");
    }
  });
});
