// Joins dist/lib's ES modules into two files for the kernel (kernel/library-modules.ts loads
// them). Node's ES module loader resolves, reads and links every module on its own; for the
// library's ~110 modules that was about 55 ms of every kernel start, against 14 ms for one
// bundle. `device.js` is its own entry so the kernel can start the WebGPU adapter before the
// rest of the library loads; the two share one instance of that module.
// The bundle is written next to a list of its inputs, so a kernel can tell it is stale (dist/lib
// rebuilt by `tsc` alone) and load dist/lib instead.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { rollup } from "@rollup/wasm-node";
import { bundleInputs } from "./bundle-inputs.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const lib = path.join(root, "dist", "lib");
const out = path.join(root, "dist", "lib-bundle");
const staging = `${out}.tmp-${process.pid}`;

const bundle = await rollup({
  input: { index: path.join(lib, "index.js"), device: path.join(lib, "backend", "webgpu", "device.js") },
  // Packages and Node built-ins stay imports: only the library's own modules are joined.
  external: (id) => !id.startsWith(".") && !path.isAbsolute(id),
  onwarn(warning, warn) {
    // The library's import cycles (tensor ↔ ops) run in the same order bundled as unbundled.
    if (warning.code === "CIRCULAR_DEPENDENCY") return;
    warn(warning);
  },
});
try {
  rmSync(staging, { recursive: true, force: true });
  // The source map lets stack traces name the library's own files (kernel/exec/stack.ts).
  await bundle.write({ dir: staging, format: "es", sourcemap: true, entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js" });
  const inputs = bundleInputs(bundle, lib, out);
  writeFileSync(path.join(staging, "inputs.json"), JSON.stringify({ inputs }, null, 1) + "\n");
} finally {
  await bundle.close();
}
// Swapped in whole: a kernel starting meanwhile finds the old bundle, none, or the new one.
mkdirSync(path.dirname(out), { recursive: true });
rmSync(out, { recursive: true, force: true });
renameSync(staging, out);
