// A minimal CommonJS loader for the TypeScript engine (TypeScript itself and tslab's converter).
// Why not `require`: a V8 startup snapshot may only contain code loaded without Node's module
// system, and the converter must see a patched `typescript` object (see ts-patch.cts). Package
// paths are resolved by the caller; this loader only follows relative requires.
import fs = require("node:fs");
import path = require("node:path");
import vm = require("node:vm");

export interface LoaderOptions {
  /** Module ids (bare names or absolute file paths) mapped to ready-made exports. */
  provided: Map<string, unknown>;
  /** Node built-ins come from the real require. */
  builtinRequire: (id: string) => unknown;
  /** Source edits by absolute file path (fixes in a dependency's code; see ts-patch.cts). */
  patches?: Map<string, SourcePatch[]>;
}

export interface SourcePatch {
  /** Exact text to replace; the load fails if it is missing, so a changed dependency is noticed. */
  find: string;
  replace: string;
  /** What the edit fixes (in the error when it no longer applies). */
  why: string;
}

interface LoadedModule {
  exports: unknown;
}

export class CommonJsLoader {
  private readonly cache = new Map<string, LoadedModule>();

  constructor(private readonly options: LoaderOptions) {}

  load(file: string): unknown {
    const cached = this.cache.get(file);
    if (cached) return cached.exports;
    const provided = this.options.provided.get(file);
    if (provided !== undefined) return provided;
    const module: LoadedModule = { exports: {} };
    this.cache.set(file, module);
    const source = oneByte(applyPatches(file, fs.readFileSync(file, "utf8"), this.options.patches?.get(file) ?? []));
    const fn = vm.compileFunction(source, ["exports", "require", "module", "__filename", "__dirname"], {
      filename: file,
    }) as (exports: unknown, require: (id: string) => unknown, module: LoadedModule, filename: string, dirname: string) => void;
    fn(module.exports, (id) => this.require(id, file), module, file, path.dirname(file));
    return module.exports;
  }

  /** Every module this loader evaluated, by absolute file path. */
  *modules(): IterableIterator<[file: string, exports: unknown]> {
    for (const [file, module] of this.cache) yield [file, module.exports];
  }

  private require(id: string, from: string): unknown {
    const provided = this.options.provided.get(id);
    if (provided !== undefined) return provided;
    if (id.startsWith("./") || id.startsWith("../")) {
      let file = path.resolve(path.dirname(from), id);
      if (!fs.existsSync(file) && fs.existsSync(file + ".js")) file += ".js";
      if (fs.existsSync(path.join(file, "index.js"))) file = path.join(file, "index.js");
      return this.load(file);
    }
    if (path.isAbsolute(id)) return this.load(id);
    return this.options.builtinRequire(id);
  }
}

function applyPatches(file: string, source: string, patches: SourcePatch[]): string {
  let out = source;
  for (const patch of patches) {
    if (!out.includes(patch.find)) throw new Error(`${file} has changed: the kernel's fix (${patch.why}) no longer applies; update kernel/engine/ts-patch.cts for this version`);
    out = out.replace(patch.find, patch.replace);
  }
  return out;
}

/**
 * V8 keeps a script's source for functions it compiles later, as one byte per character unless
 * a single character needs two. TypeScript's 8 MB source has five such characters (in
 * comments); written as \u escapes, which mean the same in comments, strings, regular
 * expressions and names (only a tagged template's raw text would differ), its source
 * takes half the memory, and the start-up snapshot that holds it 8 MB less to restore.
 * A backslash right before one would change meaning when escaped; such a source stays as it is.
 */
export function oneByte(source: string): string {
  if (!/[^\x00-\xff]/.test(source) || /\\[^\x00-\xff]/.test(source)) return source;
  const escaped = source.replace(/[^\x00-\xff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  // The result is still stored two bytes per character (it is made of slices of the source);
  // a Latin-1 round trip copies it into a one-byte string.
  return Buffer.from(escaped, "latin1").toString("latin1");
}
