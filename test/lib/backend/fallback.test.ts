import { describe, expect, it } from "vitest";
import { backendInfo, getBackend, setBackend, tensor } from "../../../lib/index.js";
import { initBackend } from "../../../lib/backend/registry.js";

// Each test file runs in its own process, so this one can make sure no adapter exists: no EGL
// platform that works, no Vulkan driver. That is a machine without a GPU or Mesa.
process.env["EGL_PLATFORM"] = "gradlab-test-none";
process.env["VK_ICD_FILENAMES"] = "/nonexistent/icd.json";
process.env["VK_DRIVER_FILES"] = "/nonexistent/icd.json";
process.env["GRADLAB_BACKEND"] = "auto";

describe("auto falls back to the CPU when no adapter exists", () => {
  it("importing gradlab creates no device: the CPU runs until initBackend()", () => {
    expect(getBackend()).toBe("cpu");
    expect(backendInfo().reason).toMatch(/CPU until initBackend\(\)/);
    expect(tensor([1, 2]).add(1).arraySync()).toEqual([2, 3]);
  });

  it("initBackend() resolves to the CPU with a one-line reason", async () => {
    const info = await initBackend();
    expect(info.name).toBe("cpu");
    expect(info.reason).toMatch(/^GRADLAB_BACKEND=auto: the CPU, since .+$/);
    expect(info.reason).not.toMatch(/\n/);
    expect(tensor([[1, 2]]).matmul(tensor([[3], [4]])).itemSync()).toBe(11);
  });

  it("asking for WebGPU explicitly is an error that says why and what is available", async () => {
    await expect(setBackend("webgpu")).rejects.toThrow(/setBackend: no WebGPU here \(.+\); 'cpu' is available/);
    await expect(tensor([1]).to("webgpu")).rejects.toThrow(/to: no WebGPU here/);
    expect(getBackend()).toBe("cpu");
  });
});
