/**
 * The optional native BLAS (native/blas.c, built by `npm run build` where a C compiler and
 * OpenBLAS exist): float32 matmuls at the machine's full vector width, twice what Wasm SIMD's
 * 128 bits allow. Node only; everywhere else, and where it was not built or
 * GRADLAB_NATIVE_BLAS=0, the Wasm kernels do the work.
 */

export interface NativeBlas {
  /**
   * C[m×n] (= or +=) A[m×k] · B[k×n] on `memory` (the whole Wasm heap); a, b, c are byte
   * offsets, strides are in elements. False, with nothing computed, for a layout it cannot take.
   */
  sgemm(
    memory: Uint8Array, a: number, rsa: number, csa: number, b: number, rsb: number, csb: number,
    c: number, m: number, n: number, k: number, ldc: number, accumulate: number,
  ): boolean;
}

/** Where the build puts it, relative to the package root. */
const ADDON = ["native", "build", "blas.node"];

interface NodeHost {
  env: Record<string, string | undefined>;
  getBuiltinModule(id: string): unknown;
}

let loaded: NativeBlas | null | undefined;
/** Why the load gave null, for nativeBlasStatus(). */
let reason = "";

/** The addon, loaded on first use; null where there is none. */
export function nativeBlas(): NativeBlas | null {
  if (loaded !== undefined) return loaded;
  loaded = load();
  return loaded;
}

export function nativeBlasStatus(): string {
  return nativeBlas() ? "native BLAS (OpenBLAS)" : `Wasm kernels (${reason})`;
}

function load(): NativeBlas | null {
  const proc = (globalThis as { process?: Partial<NodeHost> & { versions?: { node?: string } } }).process;
  if (typeof proc?.versions?.node !== "string" || typeof proc.getBuiltinModule !== "function") {
    reason = "not Node";
    return null;
  }
  const host = proc as NodeHost;
  if (host.env["GRADLAB_NATIVE_BLAS"] === "0") {
    reason = "GRADLAB_NATIVE_BLAS=0";
    return null;
  }
  try {
    const fs = host.getBuiltinModule("node:fs") as { existsSync(p: string): boolean };
    const path = host.getBuiltinModule("node:path") as { dirname(p: string): string; join(...p: string[]): string };
    const url = host.getBuiltinModule("node:url") as { fileURLToPath(u: string): string };
    const mod = host.getBuiltinModule("node:module") as { createRequire(from: string): (id: string) => unknown };
    // This module runs from lib/ (sources), dist/lib/ or a bundle in dist/: look upwards.
    const here = url.fileURLToPath(import.meta.url);
    let dir = path.dirname(here);
    for (let up = 0; up < 6; up++, dir = path.dirname(dir)) {
      const file = path.join(dir, ...ADDON);
      if (!fs.existsSync(file)) continue;
      const addon = mod.createRequire(here)(file) as Partial<NativeBlas>;
      if (typeof addon.sgemm !== "function") break;
      return addon as NativeBlas;
    }
    reason = "not built: see scripts/build-native.mjs";
  } catch (e) {
    reason = `failed to load: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`;
  }
  return null;
}
