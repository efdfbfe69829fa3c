// The CPU backend builds its Wasm kernels when an op first needs them, not when it is created:
// importing the library (every kernel start) does not pay for them.
import { describe, expect, it, vi } from "vitest";
import { CpuBackend } from "../../../../lib/backend/cpu/cpu-backend.js";

describe("CPU backend start-up", () => {
  it("compiles its Wasm kernels on first use, once", () => {
    const compile = vi.spyOn(WebAssembly, "Module");
    try {
      const backend = new CpuBackend();
      expect(compile).not.toHaveBeenCalled();
      const first = backend.wasm;
      expect(first).not.toBeNull();
      expect(compile).toHaveBeenCalledTimes(1);
      expect(backend.wasm).toBe(first);
      expect(compile).toHaveBeenCalledTimes(1);
    } finally {
      compile.mockRestore();
    }
  });

  it("never compiles them when Wasm is switched off", () => {
    const compile = vi.spyOn(WebAssembly, "Module");
    try {
      expect(new CpuBackend({ wasm: false }).wasm).toBeNull();
      expect(compile).not.toHaveBeenCalled();
    } finally {
      compile.mockRestore();
    }
  });
});
