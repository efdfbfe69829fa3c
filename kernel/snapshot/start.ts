// Imported by a process restored from the start-up snapshot (build-entry.cts → restore).
import type * as TS from "@tslab/typescript-for-tslab";
import type { LoadedTslab } from "../engine/ts-patch.cjs";
import { kernelLog } from "../log.js";
import { openWire } from "../wire/early.js";
import type { WireWorker } from "../wire/spawn.cjs";
import { rebuildSnapshotLater, touchRestoredBlob } from "./launch.js";

export interface SnapshotStart {
  connectionFile: string;
  tslab: LoadedTslab;
  pinnedFiles: Map<string, TS.SourceFile>;
  stalePinnedFiles: number;
  /** Started by the restored process before this module loaded. */
  wireWorker: WireWorker;
}

export async function startFromSnapshot(options: SnapshotStart): Promise<void> {
  const wire = openWire(options.connectionFile, options.wireWorker);
  const { startKernel } = await import("../main.js");
  await startKernel({ wire, tslab: options.tslab, pinnedFiles: options.pinnedFiles });
  touchRestoredBlob();
  if (options.stalePinnedFiles > 0) {
    // Declarations changed on disk (e.g. gradlab was rebuilt): they were parsed afresh this
    // time; a new snapshot makes the next start fast again.
    kernelLog(`${options.stalePinnedFiles} declaration files changed since the start-up snapshot; rebuilding it`);
    rebuildSnapshotLater();
  }
}
