// `require` for cells: packages resolve from the notebook folder, "gradlab" is the preloaded
// library (an ES module that Node 20 cannot `require`), and local .ts files imported by a cell
// run from the JavaScript the converter produced for them.
import { createRequire, Module } from "node:module";
import path from "node:path";
import type { SideOutput } from "../engine/tslab-types.cjs";

type NodeModuleInternals = typeof Module & {
  _nodeModulePaths(dir: string): string[];
};
type CompilableModule = Module & { _compile(code: string, filename: string): void };

export type CellRequire = (id: string) => unknown;

export class CellModules {
  private readonly sideSources = new Map<string, string>();
  private readonly sideModules = new Map<string, Module>();
  private readonly provided = new Map<string, unknown>();
  readonly require: CellRequire;

  constructor(private readonly cwd: string) {
    this.require = this.makeRequire(createRequire(path.join(cwd, "__gradlab_cell__.js")), cwd);
  }

  /** Makes `require(id)` return `exports` (used for the preloaded library). */
  provide(id: string, exports: unknown): void {
    this.provided.set(id, exports);
  }

  /** New compiled code for local files; modules loaded before are reloaded on next use. */
  updateSideOutputs(outputs: readonly SideOutput[]): void {
    for (const out of outputs) {
      const file = path.resolve(out.path);
      this.sideSources.set(file, out.data);
      this.sideModules.delete(file);
    }
  }

  private makeRequire(base: NodeJS.Require, dir: string): CellRequire {
    return (id: string): unknown => {
      if (this.provided.has(id)) return this.provided.get(id);
      if (id.startsWith("./") || id.startsWith("../") || path.isAbsolute(id)) {
        const local = this.loadSide(path.resolve(dir, id));
        if (local !== undefined) return local;
      }
      try {
        return base(id);
      } catch (error) {
        if ((error as { code?: unknown }).code === "ERR_REQUIRE_ESM") {
          throw new Error(`"${id}" is an ES module, which Node 20 cannot load from a notebook cell with import; only CommonJS packages and gradlab are supported`, { cause: error });
        }
        throw error;
      }
    };
  }

  private loadSide(resolved: string): unknown {
    const file = this.sideSources.has(resolved) ? resolved : [".js", ".ts", ".tsx"].map((ext) => resolved.replace(/\.(ts|tsx|js)$/, "") + ext).find((f) => this.sideSources.has(f));
    if (!file) return undefined;
    const cached = this.sideModules.get(file);
    if (cached) return cached.exports;
    const mod = new Module(file) as CompilableModule;
    mod.filename = file;
    mod.paths = (Module as NodeModuleInternals)._nodeModulePaths(path.dirname(file));
    // A local module may import further local modules and gradlab.
    mod.require = Object.assign(this.makeRequire(createRequire(file), path.dirname(file)), createRequire(file)) as NodeJS.Require;
    this.sideModules.set(file, mod);
    mod._compile(this.sideSources.get(file)!, file);
    return mod.exports;
  }
}
