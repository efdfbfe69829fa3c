// Where the kernel's TypeScript engine and fallback Node types are installed. Kept apart from
// main.ts so that the start-up launcher can use it without loading the whole kernel.
import { createRequire } from "node:module";
import path from "node:path";
import { packageRoot } from "./paths.js";
import type { EnginePaths } from "./engine/ts-patch.cjs";

const require = createRequire(import.meta.url);

export function enginePaths(): EnginePaths {
  const tslabRequire = createRequire(require.resolve("tslab/package.json"));
  return {
    typescript: tslabRequire.resolve("@tslab/typescript-for-tslab"),
    converter: require.resolve("tslab/dist/converter.js"),
  };
}

/** gradlab's @types/node (falling back to tslab's) for notebook folders without one. */
export function nodeTypesPath(): string | null {
  for (const from of [require, createRequire(require.resolve("tslab/package.json"))]) {
    try {
      return from.resolve("@types/node/index.d.ts");
    } catch {
      // try the next place
    }
  }
  return null;
}

/**
 * gradlab's own @types folder: its dependencies' and dev tools' types, not a notebook's
 * (engine.cts: notebookTypeRoots). When gradlab is a dependency of the notebook's project, the
 * project's node_modules/@types is another folder and stays in use.
 */
export function ownTypeRoots(): string[] {
  return [path.join(packageRoot(), "node_modules", "@types")];
}
