import { renameSync, rmSync, writeFileSync } from "node:fs";

/**
 * Writes `path` so that a reader sees the old file or the whole new one, never a part: the data
 * goes to a temporary file beside it, which then replaces it in one rename.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): void {
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
