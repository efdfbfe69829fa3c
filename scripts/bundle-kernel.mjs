// Joins the ES modules a kernel restored from the start-up snapshot loads (snapshot/start.js and
// everything it imports, about 35 modules) into dist/kernel/start-bundle.js: Node's loader
// resolves, reads and links each module on its own, about 30 ms of every kernel start against
// one file. The engine's CommonJS files stay separate (the snapshot already holds them, see
// kernel/snapshot/build-entry.cts). The bundle sits in dist/kernel/ like kernel-dir.js, the one
// module that finds files from its own location, so every path it computes stays right.
// A list of the bundle's inputs is written after it; the restored process uses the bundle only
// when none of them changed since (kernel/snapshot/kernel-bundle.cts), else the modules.
import { renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { rollup } from "@rollup/wasm-node";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const kernel = path.join(root, "dist", "kernel");
const out = path.join(kernel, "start-bundle.js");
const inputsFile = path.join(kernel, "start-bundle.inputs.json");

const bundle = await rollup({
  input: path.join(kernel, "snapshot", "start.js"),
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
    format: "es",
    // start.js imports main.js on demand; in the bundle it is simply part of the one file.
    inlineDynamicImports: true,
    paths: (id) => (path.isAbsolute(id) ? `./${path.relative(kernel, id).split(path.sep).join("/")}` : id),
  });
  const inputs = bundle.watchFiles
    .filter((file) => file.startsWith(kernel + path.sep) && file.endsWith(".js"))
    .sort()
    .map((file) => {
      const stat = statSync(file);
      return { file: path.relative(kernel, file).split(path.sep).join("/"), size: stat.size, mtimeMs: stat.mtimeMs };
    });
  // Never an old list next to a new bundle: the list goes first, and comes back last.
  rmSync(inputsFile, { force: true });
  renameSync(staged, out);
  writeFileSync(`${inputsFile}.${process.pid}.tmp`, JSON.stringify({ inputs }, null, 1) + "\n");
  renameSync(`${inputsFile}.${process.pid}.tmp`, inputsFile);
} finally {
  rmSync(staged, { force: true });
  await bundle.close();
}
