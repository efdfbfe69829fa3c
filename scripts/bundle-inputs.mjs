// The list of a bundle's inputs that the kernel checks before loading it
// (kernel/snapshot/bundles.cts): each module Rollup read from `under`, with its size and date,
// relative to `listDir` (the folder the list is written to).
import { statSync } from "node:fs";
import path from "node:path";

export function bundleInputs(bundle, under, listDir, wanted = () => true) {
  return bundle.watchFiles
    .filter((file) => file.startsWith(under + path.sep) && wanted(file))
    .sort()
    .map((file) => {
      const stat = statSync(file);
      return { file: path.relative(listDir, file).split(path.sep).join("/"), size: stat.size, mtimeMs: stat.mtimeMs };
    });
}
