// TypeScript's default library joined into one declaration file. Every cell gets a new type
// checker, and a checker merges the globals of every script file: lib's ~55 files declare the
// same interfaces (Array, Promise, Intl, …) in pieces, and merging those pieces again for each
// cell cost about 0.3 ms. Joined in the order TypeScript itself loads them, the pieces are merged
// once, when the joined file is bound, and the checker sees the same declarations in the same
// order. The program then runs with `noLib`, the joined file as its first root.
import crypto = require("node:crypto");
import fs = require("node:fs");
import path = require("node:path");

export interface LibBundle {
  fileName: string;
  text: string;
  /** The lib names it contains, as `/// <reference lib>` spells them (es5, es2015.core, …). */
  libs: ReadonlySet<string>;
}

const REFERENCE_LIB = /^\/\/\/\s*<reference\s+lib=["']([^"']+)["']\s*\/>\s*$/gm;
const BUNDLE_PREFIX = "__gradlab_lib__.";

/** Whether a file name is one of these bundles (they exist only in memory). */
export function isLibBundle(fileName: string): boolean {
  return path.basename(fileName).startsWith(BUNDLE_PREFIX);
}

/**
 * Joins the lib files that `names` (as in `/// <reference lib>`) pull in, in the order a program
 * lists them: found depth first, then stably sorted by their rank in `order` (TypeScript's list
 * of lib names), unranked ones last.
 */
export function bundleLib(libDir: string, names: readonly string[], libFile: (name: string) => string | undefined, order: readonly string[]): LibBundle {
  const libs = new Set<string>();
  const found: { file: string; text: string }[] = [];
  const visit = (name: string): void => {
    const key = name.toLowerCase();
    if (libs.has(key)) return;
    libs.add(key);
    const file = libFile(key) ?? `lib.${key}.d.ts`;
    const text = fs.readFileSync(path.join(libDir, file), "utf8");
    for (const match of text.matchAll(REFERENCE_LIB)) visit(match[1]!);
    found.push({ file, text });
  };
  for (const name of names) visit(name);
  const rank = (file: string): number => {
    if (file === "lib.d.ts" || file === "lib.es6.d.ts") return 0;
    const index = order.indexOf(libName(file));
    return index === -1 ? order.length + 2 : index + 1;
  };
  // Array.prototype.sort is stable.
  found.sort((a, b) => rank(a.file) - rank(b.file));
  // Lib references are ignored under noLib anyway; dropping them keeps the text honest.
  const text = found.map(({ file, text }) => `// ${file}\n${text.replace(REFERENCE_LIB, "")}`).join("\n");
  // The name follows the content, so that a program never mistakes one bundle for another.
  const hash = crypto.createHash("sha256").update([...libs].sort().join(",")).digest("hex").slice(0, 12);
  return { fileName: path.join(libDir, `${BUNDLE_PREFIX}${hash}.d.ts`), text, libs };
}

/** `lib.es2022.d.ts` → `es2022` (the `lib` compiler option holds file names). */
export function libName(fileName: string): string {
  return path.basename(fileName).replace(/^lib\./, "").replace(/\.d\.ts$/, "");
}
