import { afterEach, describe, expect, it } from "vitest";
import { acquireGpu, prefetchGpu } from "../../../lib/backend/webgpu/device.js";

// The kernel starts the adapter request before the library loads (kernel/preload.ts).
process.env["EGL_PLATFORM"] ??= "surfaceless";
const asked = process.env["GRADLAB_BACKEND"];
afterEach(() => {
  if (asked === undefined) delete process.env["GRADLAB_BACKEND"];
  else process.env["GRADLAB_BACKEND"] = asked;
});

describe("prefetchGpu", () => {
  it("starts nothing when GRADLAB_BACKEND=cpu", () => {
    process.env["GRADLAB_BACKEND"] = "cpu";
    expect(prefetchGpu()).toBeNull();
  });

  it("starts one request, which the next acquireGpu() takes; later ones ask again", async () => {
    process.env["GRADLAB_BACKEND"] = "auto";
    const early = prefetchGpu();
    expect(early).not.toBeNull();
    expect(prefetchGpu()).toBe(early);
    const first = acquireGpu("auto");
    expect(first).toBe(early);
    const second = acquireGpu("auto");
    expect(second).not.toBe(early);
    const [a, b] = await Promise.all([first, second]);
    // Both answers are real (an adapter on this machine, or the reason there is none), and alike.
    expect(a.ok).toBe(b.ok);
    for (const got of [a, b]) if (got.ok) got.gpu.device.destroy();
  });
});
