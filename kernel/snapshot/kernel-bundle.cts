// Whether dist/kernel/start-bundle.js (scripts/bundle-kernel.mjs) was built from the kernel
// modules now on disk. A restored process imports it instead of snapshot/start.js only then:
// after `tsc` alone, for instance, the bundle would hold older code.
import fs = require("node:fs");
import path = require("node:path");

interface BundleInputs {
  inputs: { file: string; size: number; mtimeMs: number }[];
}

/** The bundle's path when it is current, else null. */
export function currentKernelBundle(bundle: string): string | null {
  const dir = path.dirname(bundle);
  let listed: BundleInputs;
  try {
    listed = JSON.parse(fs.readFileSync(bundle.replace(/\.js$/, ".inputs.json"), "utf8")) as BundleInputs;
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
