import { describe, expect, it } from "vitest";
import { backendInfo, getBackend, setBackend } from "../../../lib/index.js";
import { initBackend } from "../../../lib/backend/registry.js";
import { autoRefuses, isSoftwareAdapter } from "../../../lib/backend/webgpu/device.js";

// This machine (and CI) has no GPU, only Mesa's software rasterizer behind EGL.
process.env["EGL_PLATFORM"] ??= "surfaceless";
process.env["GRADLAB_BACKEND"] = "auto";

interface Dawn {
  create(flags: string[]): GPU;
}

describe("auto never picks a backend slower than the CPU", () => {
  it("turns down Mesa's llvmpipe: a software adapter, with the reason and the way to use it anyway", async () => {
    const dawn = (await import("webgpu")) as unknown as Dawn;
    const adapter = await dawn.create(["backend=opengles"]).requestAdapter({ featureLevel: "compatibility" });
    expect(adapter, "Mesa's software adapter (apt-get install libegl1 libegl-mesa0 mesa-vulkan-drivers)").not.toBeNull();
    expect(isSoftwareAdapter(adapter!)).toBe(true);
    const why = autoRefuses(adapter!);
    expect(why).toMatch(/software rasterizer \(.*llvmpipe.*\), slower than the CPU backend; GRADLAB_BACKEND=webgpu or setBackend\("webgpu"\) uses it anyway/);
  });

  it("initBackend() with GRADLAB_BACKEND=auto stays on the CPU and says why in one line", async () => {
    const info = await initBackend();
    expect(info.name).toBe("cpu");
    expect(getBackend()).toBe("cpu");
    expect(info.reason).toMatch(/^GRADLAB_BACKEND=auto: the CPU, since (no GPU device here|the only WebGPU adapter is a software rasterizer)/);
    expect(info.reason).not.toMatch(/\n/);
    expect(backendInfo()).toEqual(info);
  });

  it("asking for WebGPU by name still uses the software adapter", async () => {
    expect(await setBackend("webgpu")).toBe("webgpu");
    expect(backendInfo().reason).toMatch(/llvmpipe/);
    await setBackend("cpu");
  });
});
