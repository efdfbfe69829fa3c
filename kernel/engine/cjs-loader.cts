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
    const source = fs.readFileSync(file, "utf8");
    const fn = vm.compileFunction(source, ["exports", "require", "module", "__filename", "__dirname"], {
      filename: file,
    }) as (exports: unknown, require: (id: string) => unknown, module: LoadedModule, filename: string, dirname: string) => void;
    fn(module.exports, (id) => this.require(id, file), module, file, path.dirname(file));
    return module.exports;
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
