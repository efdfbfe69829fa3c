// Start-up snapshot management. A V8 snapshot is tied to the exact Node binary and to the code
// in it, so it is built per user (in their cache folder, never in the install folder), named
// after the Node version, and checked against a key of its inputs before use; when it is
// missing or stale the kernel starts the normal way and a new one is built in the background.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { enginePaths, nodeTypesPath } from "../engine-paths.js";
import { KERNEL_DIR } from "../kernel-dir.js";
import { kernelLog } from "../log.js";
import { cacheDir, installId, packageRoot } from "../paths.js";
import { SNAPSHOT_V8_FLAGS } from "../v8-flags.js";
import type { SnapshotInputs } from "./prepare.cjs";

const SNAPSHOT_DIR = path.join(KERNEL_DIR, "snapshot") + path.sep;
const ENGINE_DIR = path.join(KERNEL_DIR, "engine") + path.sep;
const WIRE_DIR = path.join(KERNEL_DIR, "wire") + path.sep;
/** Exit code of a restored process that cannot use its snapshot (see build-entry.cts). */
export const SNAPSHOT_UNUSABLE = 75;
/** Node's exit code for a blob it cannot load: another Node version, or other V8 flags. */
export const SNAPSHOT_REFUSED = 14;

interface SnapshotFiles {
  blob: string;
  /** For bin/gradlab-kernel.sh: the Node that built the blob, the blob and its V8 flags (see writePointer). */
  pointer: string;
  lock: string;
  /** Written when a build fails, so that kernels do not retry it at every start. */
  failed: string;
}

/** Per user, per Node binary and per installed copy of gradlab. */
function files(): SnapshotFiles {
  const id = installId();
  const dir = cacheDir();
  const base = path.join(dir, `kernel-${process.version}-${process.arch}-${id}`);
  return { blob: `${base}.blob`, pointer: path.join(dir, `kernel-${id}.launch`), lock: `${base}.lock`, failed: `${base}.failed` };
}

/**
 * Tells bin/gradlab-kernel.sh which blob to start, for which Node, and with which V8 flags: the
 * script cannot compute the blob's name (it has Node's version in it) without starting Node.
 */
function writePointer(pointer: string, blob: string): void {
  const partial = `${pointer}.${process.pid}.partial`;
  writeFileSync(partial, `${process.execPath}\n${blob}\n${SNAPSHOT_V8_FLAGS.join(" ")}\n`);
  renameSync(partial, pointer);
}

/**
 * The V8 flags `blob` was built with, as its pointer records them. A blob the pointer does not
 * name was built by this code (the flags are this code's); a pointer from before flags were
 * recorded has no third line (that blob was built without any).
 */
export function builtWithFlags(blob: string, pointer = files().pointer): readonly string[] {
  let lines: string[];
  try {
    lines = readFileSync(pointer, "utf8").split("\n");
  } catch {
    return SNAPSHOT_V8_FLAGS;
  }
  if (lines[1] !== blob) return SNAPSHOT_V8_FLAGS;
  return (lines[2] ?? "").split(" ").filter(Boolean);
}

export function snapshotInputs(): SnapshotInputs {
  const js = path.join(KERNEL_DIR, "..", "lib", "index.js");
  return {
    engine: enginePaths(),
    library: { js, dts: js.replace(/\.js$/, ".d.ts") },
    nodeTypes: nodeTypesPath(),
    globalDeclarations: "",
    kernelEntry: path.join(SNAPSHOT_DIR, "start.js"),
    kernelBundle: path.join(KERNEL_DIR, "start-bundle.js"),
    wireWorker: path.join(WIRE_DIR, "worker.js"),
    // The CommonJS code compiled into the snapshot (the wire's: spawn.cts).
    codeDirs: [ENGINE_DIR, SNAPSHOT_DIR, WIRE_DIR],
  };
}

/**
 * The blob to start from, if one was built. Whether it is still current is checked by the
 * restored process itself (see build-entry.cts), so this launcher starts it without delay.
 */
export function snapshotPath(): string | null {
  const { blob } = files();
  // The restored process marks it as in use (touchRestoredBlob), however it was started.
  return existsSync(blob) ? blob : null;
}

/** A blob nobody started a kernel from for this long belongs to a removed copy or an old Node. */
const UNUSED_BLOB_MS = 30 * 24 * 3600_000;
/** What a build that crashed left behind. */
const LEFTOVER_MS = 24 * 3600_000;

/**
 * Each copy of gradlab and each Node version has its own 50 MB blob; without this, every
 * fresh clone or Node upgrade would leave one behind for good.
 */
function pruneUnused(keep: string): void {
  const dir = path.dirname(keep);
  const now = Date.now();
  const pointers: string[] = [];
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (/^kernel-[0-9a-f]+\.launch$/.test(name)) {
      pointers.push(file);
      continue;
    }
    const blob = /^kernel-.+\.blob$/.test(name);
    const leftover = /^kernel-.+\.(blob|launch)\.\d+\.(partial|entry\.cjs)$/.test(name);
    if (file === keep || !(blob || leftover)) continue;
    try {
      if (now - statSync(file).mtimeMs > (blob ? UNUSED_BLOB_MS : LEFTOVER_MS)) rmSync(file, { force: true });
    } catch {
      // removed meanwhile
    }
  }
  // After the blobs: a pointer whose blob is gone (removed above, or with its copy of gradlab) is of no use.
  for (const file of pointers) {
    try {
      const blobOf = readFileSync(file, "utf8").split("\n")[1];
      if (blobOf && !existsSync(blobOf)) rmSync(file, { force: true });
    } catch {
      // removed meanwhile
    }
  }
}

/** Marks the blob this process was restored from as in use (its date; see pruneUnused). */
export function touchRestoredBlob(): void {
  const at = process.execArgv.indexOf("--snapshot-blob");
  const blob = at >= 0 ? process.execArgv[at + 1] : undefined;
  if (!blob) return;
  try {
    const now = new Date();
    utimesSync(blob, now, now);
  } catch {
    // a read-only cache: nothing to mark
  }
}

/**
 * Node options of a kernel restored from a snapshot (bin/gradlab-kernel.sh passes the same).
 * On a machine with two cores or fewer, one V8 background thread instead of four: the kernel's
 * work is on its main thread, and four threads of background compiling and garbage collection
 * took the cores from it and from the socket worker (`1+1` round trips 5–15% faster in
 * alternating runs). With more cores they do not compete, and V8 keeps its default.
 */
export function restoredKernelOptions(cores = availableParallelism()): string[] {
  return cores <= 2 ? ["--v8-pool-size=1"] : [];
}

/** Runs the kernel in a process restored from `blob`; resolves with its exit code. */
export function runFromSnapshot(blob: string, connectionFile: string): Promise<number> {
  const child = spawn(process.execPath, [...restoredKernelOptions(), ...builtWithFlags(blob), "--snapshot-blob", blob, connectionFile], { stdio: "inherit" });
  // Jupyter signals this process; the kernel is the child.
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, forward(signal));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1))));
}

/** Builds the snapshot now (blocking); used by `gradlab snapshot` and the background rebuild. */
export function buildSnapshot(globalDeclarations: string): { ok: boolean; message: string } {
  const inputs = { ...snapshotInputs(), globalDeclarations };
  const { blob, pointer, lock, failed } = files();
  let fd: number;
  try {
    fd = openSync(lock, "wx");
  } catch {
    // Another kernel is building it; a lock older than 5 minutes is from a crashed build.
    if (Date.now() - statSync(lock).mtimeMs < 5 * 60_000) return { ok: false, message: "another build is running" };
    rmSync(lock, { force: true });
    fd = openSync(lock, "wx");
  }
  try {
    const partial = `${blob}.${process.pid}.partial`;
    // Node runs a snapshot entry without `exports`, which TypeScript's CommonJS output touches.
    const entry = `${blob}.${process.pid}.entry.cjs`;
    writeFileSync(entry, `var exports = {};\n${readFileSync(path.join(SNAPSHOT_DIR, "build-entry.cjs"), "utf8")}`);
    const result = spawnSyncNode([...SNAPSHOT_V8_FLAGS, "--snapshot-blob", partial, "--build-snapshot", entry], {
      GRADLAB_SNAPSHOT_INPUTS: JSON.stringify(inputs),
      GRADLAB_SNAPSHOT_DIR: SNAPSHOT_DIR,
    });
    rmSync(entry, { force: true });
    if (result.status !== 0 || !existsSync(partial)) {
      rmSync(partial, { force: true });
      const message = `snapshot build failed: ${result.stderr.slice(-2000)}`;
      writeFileSync(failed, message);
      return { ok: false, message };
    }
    renameSync(partial, blob);
    writePointer(pointer, blob);
    rmSync(failed, { force: true });
    pruneUnused(blob);
    return { ok: true, message: blob };
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}

function spawnSyncNode(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  return { status: result.status, stderr: `${result.stderr ?? ""}${result.error ? String(result.error) : ""}` };
}

/** Starts a background build a little after start-up, at low priority, without waiting for it. */
export function rebuildSnapshotLater(delayMs = 3000): void {
  if (process.env.GRADLAB_NO_SNAPSHOT) return;
  try {
    // After a failed build, try again a day later (or on `gradlab snapshot`).
    if (Date.now() - statSync(files().failed).mtimeMs < 24 * 3600_000) return;
  } catch {
    // no failed build
  }
  setTimeout(() => {
    const child = spawn(process.execPath, [path.join(packageRoot(), "bin", "gradlab.js"), "snapshot", "--quiet"], { detached: true, stdio: "ignore" });
    child.on("error", (error) => kernelLog(`could not start the snapshot build: ${error.message}`));
    child.unref();
  }, delayMs).unref();
}
