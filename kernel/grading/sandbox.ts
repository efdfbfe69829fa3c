// Where a submission runs: a process that can read the library and its own private folder, write
// only that folder, and start no other process. Two layers, because they stop different things:
// - Node's permission model (--experimental-permission, no new dependency) refuses file access
//   outside the allowed paths, child processes, worker threads, native addons and WASI. Node
//   calls it a seat belt for trusted code, not a wall: it does not cover the network, and its
//   own documentation does not promise it holds against code written to escape it.
// - bubblewrap (Debian's bwrap) puts the process in Linux namespaces: a file system that holds
//   only the system's /usr, the library and the private folder; no network at all; its own
//   process table; an unprivileged user without capabilities; and it dies with the grader.
// "bwrap" uses both; "node" (no bwrap, or no user namespaces) uses the permission model alone.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

export type SandboxMode = "bwrap" | "node";

export interface SandboxOptions {
  mode: SandboxMode;
  /** The submission's private folder: its working directory, the only place it may write. */
  privateDir: string;
  /** gradlab's package folder: bin/, dist/, node_modules/ and package.json are read-only inside. */
  packageRoot: string;
  /** Memory the JavaScript heap may take; the grader also watches the whole process's size. */
  memoryMb: number;
}

/** Read-only paths the worker needs from gradlab's package. */
function libraryPaths(root: string): string[] {
  return ["bin", "dist", "node_modules", "package.json"].map((p) => join(root, p)).filter((p) => existsSync(p));
}

/** Node's permission flags for the worker (its paths are the same inside bwrap). */
function permissionFlags(o: SandboxOptions): string[] {
  const reads = libraryPaths(o.packageRoot).map((p) => `--allow-fs-read=${p.endsWith(".json") ? p : join(p, "*")}`);
  return [
    "--experimental-permission",
    ...reads,
    `--allow-fs-read=${join(o.privateDir, "*")}`,
    `--allow-fs-write=${join(o.privateDir, "*")}`,
    // As large as the whole limit, so the outside watch on RSS (sandbox-session.ts) ends a heap
    // bomb first, within a tenth of a second. A smaller heap let V8 spend seconds in ineffective
    // collections near its limit, and on a loaded machine the cell's time limit came first
    // instead: the bomb was interrupted and the submission went on, with the heap still full.
    `--max-old-space-size=${Math.max(64, o.memoryMb)}`,
    "--no-warnings",
  ];
}

/** The environment inside: nothing of the grader's (tokens, paths), only what the kernel needs. */
function workerEnv(o: SandboxOptions): Record<string, string> {
  return {
    PATH: "/usr/bin:/bin",
    HOME: o.privateDir,
    XDG_STATE_HOME: join(o.privateDir, ".state"),
    XDG_CACHE_HOME: join(o.privateDir, ".cache"),
    GRADLAB_BACKEND: "cpu",
    GRADLAB_CPU_THREADS: "1",
    GRADLAB_NO_SNAPSHOT: "1",
    GRADLAB_GRADING: "1",
    LANG: "C.UTF-8",
  };
}

function bwrapArgs(o: SandboxOptions, node: string): string[] {
  const args = [
    "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL",
    "--die-with-parent", "--new-session", "--clearenv",
    "--ro-bind", "/usr", "/usr",
  ];
  for (const dir of ["/bin", "/lib", "/lib64", "/lib32", "/sbin"]) args.push("--ro-bind-try", dir, dir);
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp");
  // Node installed outside /usr (nvm, a tarball): its own folder, read-only.
  if (!node.startsWith("/usr/")) args.push("--ro-bind", dirname(dirname(node)), dirname(dirname(node)));
  for (const p of libraryPaths(o.packageRoot)) args.push("--ro-bind", p, p);
  args.push("--bind", o.privateDir, o.privateDir, "--chdir", o.privateDir);
  for (const [k, v] of Object.entries(workerEnv(o))) args.push("--setenv", k, v);
  return args;
}

/** The command that starts the grading worker in the sandbox, and its environment. */
export function workerCommand(o: SandboxOptions, node = process.execPath): { command: string[]; env: Record<string, string> } {
  const worker = [node, ...permissionFlags(o), join(o.packageRoot, "bin", "gradlab.js"), "grade-worker"];
  if (o.mode === "node") return { command: worker, env: workerEnv(o) };
  return { command: ["bwrap", ...bwrapArgs(o, node), "--", ...worker], env: {} };
}

let probed: boolean | null = null;

/** Whether bwrap can build the sandbox here (installed, and user namespaces allowed). */
export function bwrapWorks(): boolean {
  if (probed === null) {
    const node = process.execPath;
    const args = ["--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL", "--die-with-parent", "--ro-bind", "/usr", "/usr"];
    for (const dir of ["/bin", "/lib", "/lib64"]) args.push("--ro-bind-try", dir, dir);
    if (!node.startsWith("/usr/")) args.push("--ro-bind", dirname(dirname(node)), dirname(dirname(node)));
    const r = spawnSync("bwrap", [...args, "--proc", "/proc", "--dev", "/dev", "--", node, "-e", "0"], { stdio: "ignore", timeout: 20_000 });
    probed = r.status === 0;
  }
  return probed;
}

/** What each mode protects against, for the grader's report and the README. */
export function describeSandbox(mode: SandboxMode): string {
  return mode === "bwrap"
    ? "bubblewrap namespaces + Node permissions: no other files, no network, no processes, no capabilities"
    : "Node permissions only: no other files, no processes; the network is NOT blocked (install bubblewrap)";
}
