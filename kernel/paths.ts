// Per-user directories. The package may be installed read-only for many users, so anything the
// kernel writes (history, the start-up snapshot) goes to the user's state and cache folders.
import { createHash } from "node:crypto";
import { mkdirSync, realpathSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

function userDir(override: string | undefined, xdg: string | undefined, fallback: string[]): string {
  if (override) return override;
  if (xdg) return path.join(xdg, "gradlab");
  return path.join(os.homedir(), ...fallback, "gradlab");
}

/** Creates the folder if needed; a temp folder if home is not writable. */
function ensure(dir: string, kind: string): string {
  try {
    mkdirSync(dir, { recursive: true });
    return dir;
  } catch {
    const fallback = path.join(os.tmpdir(), `gradlab-${kind}-${os.userInfo().uid}`);
    mkdirSync(fallback, { recursive: true });
    return fallback;
  }
}

export function stateDir(): string {
  return ensure(userDir(process.env.GRADLAB_STATE_DIR, process.env.XDG_STATE_HOME, [".local", "state"]), "state");
}

export function cacheDir(): string {
  return ensure(userDir(process.env.GRADLAB_CACHE_DIR, process.env.XDG_CACHE_HOME, [".cache"]), "cache");
}

/** The package root (the folder with package.json), found from this compiled file in dist/kernel/. */
export function packageRoot(): string {
  return fileURLToPath(new URL("../../", import.meta.url));
}

/**
 * Names this installed copy of gradlab in the user's cache (its snapshot is built from this
 * copy's code). bin/gradlab-kernel.sh receives it from kernel.json.
 */
export function installId(): string {
  return createHash("sha256").update(realpathSync(packageRoot())).digest("hex").slice(0, 12);
}
