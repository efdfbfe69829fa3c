// Joins the kernel's ES modules into one file each for the two threads a kernel starts with,
// because Node's loader resolves, reads and links every module on its own:
// - dist/kernel/start-bundle.js: what a kernel restored from the start-up snapshot imports
//   (snapshot/start.js and everything it imports, about 35 modules; about 30 ms less at start).
//   The engine's CommonJS files stay separate (the snapshot already holds them, see
//   kernel/snapshot/build-entry.cts). The bundle sits in dist/kernel/ like kernel-dir.js, the one
//   module that finds files from its own location, so every path it computes stays right.
// - dist/kernel/wire/worker-bundle.cjs: the socket worker, as CommonJS (a worker that loads no ES
//   module skips starting Node's ES module loader): it binds about 20 ms sooner.
// Each bundle's inputs are listed next to it, written after it; a bundle is used only while none
// of them changed (kernel/snapshot/bundles.cts), else the modules themselves are loaded.
import { renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { rollup } from "@rollup/wasm-node";
import { bundleInputs } from "./bundle-inputs.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const kernel = path.join(root, "dist", "kernel");

async function bundleInto(input, out, format) {
  const outDir = path.dirname(out);
  const inputsFile = out.replace(/\.c?js$/, ".inputs.json");
  const bundle = await rollup({
    input,
    plugins: [
      {
        name: "commonjs-stays-external",
        resolveId(id, importer) {
          return id.endsWith(".cjs") && importer ? { id: path.resolve(path.dirname(importer), id), external: true } : null;
        },
      },
    ],
    // Packages and Node built-ins stay imports.
    external: (id) => !id.startsWith(".") && !path.isAbsolute(id),
    makeAbsoluteExternalsRelative: false,
    onwarn(warning, warn) {
      if (warning.code === "CIRCULAR_DEPENDENCY") return;
      warn(warning);
    },
  });
  const staged = `${out}.${process.pid}.tmp`;
  try {
    await bundle.write({
      file: staged,
      format,
      // start.js imports main.js on demand; in the bundle it is simply part of the one file.
      inlineDynamicImports: true,
      paths: (id) => (path.isAbsolute(id) ? `./${path.relative(outDir, id).split(path.sep).join("/")}` : id),
    });
    const inputs = bundleInputs(bundle, kernel, outDir, (file) => file.endsWith(".js"));
    // Never an old list next to a new bundle: the list goes first, and comes back last.
    rmSync(inputsFile, { force: true });
    renameSync(staged, out);
    writeFileSync(`${inputsFile}.${process.pid}.tmp`, JSON.stringify({ inputs }, null, 1) + "\n");
    renameSync(`${inputsFile}.${process.pid}.tmp`, inputsFile);
  } finally {
    rmSync(staged, { force: true });
    await bundle.close();
  }
}

await bundleInto(path.join(kernel, "snapshot", "start.js"), path.join(kernel, "start-bundle.js"), "es");
await bundleInto(path.join(kernel, "wire", "worker.js"), path.join(kernel, "wire", "worker-bundle.cjs"), "cjs");
