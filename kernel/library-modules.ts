// Which files of the library the kernel imports: dist/lib-bundle (two files made by
// scripts/bundle-lib.mjs, much faster to load than ~110 modules) when it was built from the
// dist/lib now on disk, else dist/lib itself. Stack frames in the bundle are mapped back to the
// library's own files, so tracebacks read the same either way.
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { unchangedInputs } from "./snapshot/bundles.cjs";

export interface LibraryModules {
  /** The module whose exports are the library (dist/lib/index.js or the bundle's index.js). */
  index: string;
  /** The WebGPU device module, which starts the adapter early. */
  device: string;
  /** The bundle's folder, or null when dist/lib is loaded directly. */
  bundleDir: string | null;
}

/** `libJs` is dist/lib/index.js; the bundle is used only if none of its inputs changed since. */
export function libraryModules(libJs: string): LibraryModules {
  const libDir = path.dirname(libJs);
  const unbundled: LibraryModules = { index: libJs, device: path.join(libDir, "backend", "webgpu", "device.js"), bundleDir: null };
  const bundleDir = path.join(path.dirname(libDir), "lib-bundle");
  const inputs = unchangedInputs(path.join(bundleDir, "inputs.json"), bundleDir);
  if (!inputs?.some((input) => path.resolve(bundleDir, input.file) === libJs)) return unbundled;
  return { index: path.join(bundleDir, "index.js"), device: path.join(bundleDir, "device.js"), bundleDir };
}

let chosen: LibraryModules | null = null;
let frames: BundleFrames | null = null;

/** The library modules this kernel imports, chosen once (later calls return the same). */
export function chooseLibraryModules(libJs: string): LibraryModules {
  if (!chosen) {
    chosen = libraryModules(libJs);
    frames = chosen.bundleDir ? new BundleFrames(chosen.bundleDir) : null;
  }
  return chosen;
}

/** Maps stack frames of the bundle this kernel imported; null when it imported dist/lib. */
export function bundleFrames(): BundleFrames | null {
  return frames;
}

/** Maps positions in bundle files back to the library's files, reading a source map on first use. */
export class BundleFrames {
  private readonly maps = new Map<string, SourceMap | null>();
  private readonly prefix: string;
  private readonly urlPrefix: string;

  constructor(private readonly bundleDir: string) {
    this.prefix = bundleDir + path.sep;
    this.urlPrefix = pathToFileURL(this.prefix).href;
  }

  /** The original `file:line:column` (1-based) for a frame's, or null when it is not in the bundle. */
  original(file: string, line: number, column: number): string | null {
    const filePath = file.startsWith(this.urlPrefix) ? fileURLToPath(file) : file.startsWith(this.prefix) ? file : null;
    if (filePath === null) return null;
    const map = this.mapOf(filePath);
    if (!map) return null;
    const entry = map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) return null;
    const source = entry.originalSource.startsWith("file:") ? entry.originalSource : pathToFileURL(path.resolve(path.dirname(filePath), entry.originalSource)).href;
    // Frames of ES modules name their file by URL; the library's did before it was bundled.
    const named = file.startsWith("file:") ? source : fileURLToPath(source);
    return `${named}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  }

  private mapOf(filePath: string): SourceMap | null {
    let map = this.maps.get(filePath);
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${filePath}.map`, "utf8")) as ConstructorParameters<typeof SourceMap>[0]);
      } catch {
        map = null;
      }
      this.maps.set(filePath, map);
    }
    return map;
  }
}
