// Whether a bundle (the library's, scripts/bundle-lib.mjs; the restored kernel's modules and the
// socket worker's, scripts/bundle-kernel.mjs) was built from the modules now on disk. It is
// loaded instead of them only then: after `tsc` alone, for instance, a bundle would hold older code.
import fs = require("node:fs");
import path = require("node:path");

export interface BundleInput {
  /** Relative to the bundle's folder. */
  file: string;
  size: number;
  mtimeMs: number;
}

/**
 * The inputs listed in `listFile` (paths relative to `dir`) when the list is readable and every
 * one of them is unchanged on disk, else null.
 */
export function unchangedInputs(listFile: string, dir: string): BundleInput[] | null {
  let inputs: unknown;
  try {
    inputs = (JSON.parse(fs.readFileSync(listFile, "utf8")) as { inputs?: unknown }).inputs;
  } catch {
    return null;
  }
  if (!Array.isArray(inputs)) return null;
  for (const input of inputs as BundleInput[]) {
    try {
      const stat = fs.statSync(path.resolve(dir, input.file));
      if (stat.size !== input.size || stat.mtimeMs !== input.mtimeMs) return null;
    } catch {
      return null;
    }
  }
  return inputs as BundleInput[];
}

/**
 * The bundle's path when it is current, else null. Its inputs are listed next to it
 * (`x.js` or `x.cjs` → `x.inputs.json`).
 */
export function currentBundle(bundle: string): string | null {
  const inputs = unchangedInputs(bundle.replace(/\.c?js$/, ".inputs.json"), path.dirname(bundle));
  return inputs !== null && inputs.length > 0 && fs.existsSync(bundle) ? bundle : null;
}
