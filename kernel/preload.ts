// gradlab's library, preloaded: every export becomes a name in every cell. The names are read
// from the module at start-up (never listed by hand), because the library keeps growing.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chooseLibraryModules } from "./library-modules.js";
import { kernelLog } from "./log.js";

export interface Library {
  /** The module namespace, or null when the library could not be loaded. */
  namespace: Record<string, unknown> | null;
  js: string;
  dts: string;
  /** One line for the banner: the backend and why it was chosen, or what went wrong. */
  backend: string;
}

/** dist/lib/index.js, next to this file's dist/kernel/. */
export function libraryPaths(): { js: string; dts: string } {
  const js = fileURLToPath(new URL("../lib/index.js", import.meta.url));
  return { js, dts: js.replace(/\.js$/, ".d.ts") };
}

/** The library imported, its backend still starting (a WebGPU adapter takes a while). */
export interface ImportingLibrary extends Omit<Library, "backend"> {
  backend: Promise<string>;
}

/**
 * Starts the library's WebGPU adapter request (its prefetchGpu) before the library itself loads:
 * on a machine without a GPU, Mesa's adapter takes longer to start than the rest of start-up.
 */
export async function prefetchAdapter(): Promise<void> {
  const { device } = chooseLibraryModules(libraryPaths().js);
  if (!existsSync(device)) return;
  try {
    const { prefetchGpu } = (await import(pathToFileURL(device).href)) as { prefetchGpu?: () => unknown };
    prefetchGpu?.();
  } catch (error) {
    // Only a head start: the library asks again, and reports what went wrong, when it loads.
    kernelLog(`could not start the WebGPU adapter early: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function importLibrary(): Promise<ImportingLibrary> {
  const { js, dts } = libraryPaths();
  const { index } = chooseLibraryModules(js);
  if (!existsSync(index)) return { namespace: null, js, dts, backend: Promise.resolve(`gradlab library not built (${js} is missing)`) };
  let namespace: Record<string, unknown>;
  try {
    namespace = { ...((await import(pathToFileURL(index).href)) as Record<string, unknown>) };
  } catch (error) {
    kernelLog(`could not load the gradlab library: ${error instanceof Error ? error.stack : String(error)}`);
    return { namespace: null, js, dts, backend: Promise.resolve(`gradlab library failed to load: ${error instanceof Error ? error.message : String(error)}`) };
  }
  return { namespace, js, dts, backend: describeBackend(namespace) };
}

/** Lets the library pick its backend (GRADLAB_BACKEND) and reports the choice and the reason. */
async function describeBackend(lib: Record<string, unknown>): Promise<string> {
  try {
    if (typeof lib.initBackend === "function") await (lib.initBackend as () => Promise<unknown>)();
    if (typeof lib.backendInfo === "function") {
      const info = (await (lib.backendInfo as () => unknown)()) as { name?: unknown; reason?: unknown } | null;
      if (info && typeof info.name === "string") return `${info.name}${typeof info.reason === "string" ? ` (${info.reason})` : ""}`;
    }
    if (typeof lib.getBackend === "function") return String((lib.getBackend as () => unknown)());
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message : String(error)})`;
  }
  return "unknown (the library reports no backend)";
}
