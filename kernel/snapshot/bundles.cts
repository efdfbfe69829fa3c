// Whether a bundle of scripts/bundle-kernel.mjs (the restored kernel's modules, the socket
// worker's) was built from the modules now on disk. It is loaded instead of them only then:
// after `tsc` alone, for instance, a bundle would hold older code.
import fs = require("node:fs");
import path = require("node:path");

interface BundleInputs {
  inputs: { file: string; size: number; mtimeMs: number }[];
}

/**
 * The bundle's path when it is current, else null. Its inputs are listed next to it
 * (`x.js` or `x.cjs` → `x.inputs.json`), relative to its folder.
 */
export function currentBundle(bundle: string): string | null {
  const dir = path.dirname(bundle);
  let listed: BundleInputs;
  try {
    listed = JSON.parse(fs.readFileSync(bundle.replace(/\.c?js$/, ".inputs.json"), "utf8")) as BundleInputs;
    if (!Array.isArray(listed.inputs) || listed.inputs.length === 0 || !fs.existsSync(bundle)) return null;
  } catch {
    return null;
  }
  for (const input of listed.inputs) {
    try {
      const stat = fs.statSync(path.resolve(dir, input.file));
      if (stat.size !== input.size || stat.mtimeMs !== input.mtimeMs) return null;
    } catch {
      return null;
    }
  }
  return bundle;
}
