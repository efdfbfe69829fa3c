// The start-up snapshot: built per user into their cache folder, used by the next kernel start,
// and a kernel restored from it behaves like one started normally.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KernelClient, outputsOf, streamText } from "./support/client.js";
import { GRADLAB_BIN, REPO } from "./support/kernelspec.js";
import { freePort } from "../helpers/net.js";
import { kernelArgv } from "../../kernel/install.js";

// The compiled copy: installId names the package folder it is in (dist/kernel/ → the repo).
const { installId } = (await import(path.join(REPO, "dist/kernel/paths.js"))) as typeof import("../../kernel/paths.js");
const { restoredKernelOptions, builtWithFlags } = (await import(path.join(REPO, "dist/kernel/snapshot/launch.js"))) as typeof import("../../kernel/snapshot/launch.js");
const { KERNEL_V8_FLAGS, SNAPSHOT_V8_FLAGS } = (await import(path.join(REPO, "dist/kernel/v8-flags.js"))) as typeof import("../../kernel/v8-flags.js");
/** What a restored kernel is started with: its process options, then the blob's V8 flags. */
const restoredArgv = (): string[] => [...restoredKernelOptions(), ...SNAPSHOT_V8_FLAGS];

const cache = mkdtempSync(path.join(os.tmpdir(), "gradlab-snapshot-test-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));
const withSnapshot = { GRADLAB_CACHE_DIR: cache, GRADLAB_NO_SNAPSHOT: "", GRADLAB_TRACE: "1" };
const blobs = () => readdirSync(cache).filter((f) => f.endsWith(".blob"));

describe("start-up snapshot", () => {
  it("is built after a first normal start, in the user's cache folder", async () => {
    const kernel = await KernelClient.start({ env: withSnapshot });
    try {
      expect(kernel.stderr.join("")).not.toContain("restored from the snapshot");
      expect((await kernel.run("1+1")).reply.content.status).toBe("ok");
      // The kernel starts the build a few seconds after start-up, in the background.
      const deadline = Date.now() + 60_000;
      while (blobs().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
      expect(blobs()).toHaveLength(1);
    } finally {
      await kernel.stop();
    }
  }, 90_000);

  it("`gradlab snapshot` rebuilds it on demand, and removes blobs nobody used for a month", () => {
    const aged = (name: string, days: number): string => {
      const file = path.join(cache, name);
      writeFileSync(file, "x");
      const when = new Date(Date.now() - days * 24 * 3600_000);
      utimesSync(file, when, when);
      return file;
    };
    const unused = aged("kernel-v18.0.0-x64-0123456789ab.blob", 40);
    const otherCopy = aged("kernel-v20.0.0-x64-ba9876543210.blob", 3);
    const crashedBuild = aged("kernel-v20.0.0-x64-ba9876543210.blob.4242.partial", 2);
    const notOurs = aged("notes.txt", 400);
    // A removed copy's pointer (bin/gradlab-kernel.sh reads these) names a blob that is gone.
    const orphanPointer = path.join(cache, "kernel-deadbeef0000.launch");
    writeFileSync(orphanPointer, `${process.execPath}\n${path.join(cache, "kernel-v20.0.0-x64-deadbeef0000.blob")}\n`);
    const result = spawnSync(process.execPath, [GRADLAB_BIN, "snapshot"], { env: { ...process.env, ...withSnapshot }, encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Built the start-up snapshot: .*\.blob/);
    expect(existsSync(unused)).toBe(false);
    expect(existsSync(crashedBuild)).toBe(false);
    expect(existsSync(otherCopy)).toBe(true);
    expect(existsSync(notOurs)).toBe(true);
    expect(existsSync(orphanPointer)).toBe(false);
    rmSync(otherCopy);
    rmSync(notOurs);
    expect(blobs()).toHaveLength(1);
  }, 60_000);

  it("starts the next kernel from it, which then works like any other", async () => {
    const kernel = await KernelClient.start({ env: withSnapshot });
    try {
      expect(kernel.stderr.join("")).toContain("restored from the snapshot");
      const r = await kernel.run("const t = tensor([1, 2, 3]);\nconsole.log(t.sum());\nt.shape");
      expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
      expect(streamText(r)).toContain("6");
      expect(outputsOf(r, "execute_result")[0]!.content.data["text/plain"]).toBe("[ 3 ]");
      const options = await kernel.run("process.execArgv.filter((a) => !a.endsWith('.blob') && a !== '--snapshot-blob')");
      expect(JSON.parse(outputsOf(options, "execute_result")[0]!.content.data["text/plain"].replace(/'/g, '"'))).toEqual(restoredArgv());
      // A Node module whose types the snapshot leaves out until a cell names it.
      const zipped = await kernel.run('import { gzipSync } from "node:zlib";\nconst zippedSize: number = gzipSync("hello").length;\nzippedSize > 0');
      expect(outputsOf(zipped, "execute_result")[0]!.content.data["text/plain"]).toBe("true");
      const typeError = await kernel.run("const n: number = 'x';");
      expect(typeError.reply.content.ename).toBe("TSError");
      const thrown = await kernel.run("function boom() { throw new Error('x'); }\nboom();");
      expect((thrown.reply.content.traceback as string[]).join("\n")).toMatch(/at boom \(In\[\d+\]:1:25\)/);
      // The kernel's own frames (in its bundle, or its modules) are not the student's business.
      expect((thrown.reply.content.traceback as string[]).join("\n")).not.toMatch(/start-bundle|dist\/kernel/);
      const id = kernel.execute("await new Promise((r) => setTimeout(r, 5));\nwhile (true) {}");
      await kernel.next((m) => m.parent_header.msg_id === id && m.header.msg_type === "execute_input");
      await new Promise((r) => setTimeout(r, 300));
      await kernel.request("control", "interrupt_request", {});
      expect((await kernel.exchange(id)).reply.content.ename).toBe("InterruptError");
      const info = await kernel.request("shell", "kernel_info_request", {});
      expect(info.reply.content.banner).toMatch(/Backend: /);
      const complete = await kernel.request("shell", "complete_request", { code: "Math.flo", cursor_pos: 8 });
      expect(complete.reply.content.matches).toEqual(["floor"]);
    } finally {
      await kernel.stop();
    }
  }, 60_000);

  it("restores a blob with the V8 flags it was built with, as its pointer records them", () => {
    const pointer = path.join(cache, `kernel-${installId()}.launch`);
    const [, blob, flags] = readFileSync(pointer, "utf8").split("\n");
    expect(flags).toBe(SNAPSHOT_V8_FLAGS.join(" "));
    expect(builtWithFlags(blob!, pointer)).toEqual(SNAPSHOT_V8_FLAGS);
    const dir = mkdtempSync(path.join(os.tmpdir(), "gradlab-pointer-"));
    try {
      const other = path.join(dir, "other.launch");
      // A pointer written before flags were recorded: that blob was built without any.
      writeFileSync(other, `${process.execPath}\n/cache/old.blob\n`);
      expect(builtWithFlags("/cache/old.blob", other)).toEqual([]);
      writeFileSync(other, `${process.execPath}\n/cache/b.blob\n--max-lazy --stack-size=900\n`);
      expect(builtWithFlags("/cache/b.blob", other)).toEqual(["--max-lazy", "--stack-size=900"]);
      // A blob the pointer does not name, or no pointer at all: this code built it.
      expect(builtWithFlags("/cache/c.blob", other)).toEqual(SNAPSHOT_V8_FLAGS);
      expect(builtWithFlags("/cache/c.blob", path.join(dir, "missing.launch"))).toEqual(SNAPSHOT_V8_FLAGS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a kernel started without a snapshot runs with the kernel's V8 flags, a restored one with the snapshot's", async () => {
    // V8's cached-data tag is a hash of its flags: equal tags, equal configuration.
    const tag = (flags: readonly string[]) => spawnSync(process.execPath, [...flags, "-p", "require('node:v8').cachedDataVersionTag()"], { encoding: "utf8" }).stdout.trim();
    const plain = tag([]);
    expect(tag(KERNEL_V8_FLAGS)).not.toBe(plain);
    // The snapshot's own flags (--no-rehash-snapshot) only on the command line of a restored process.
    expect(tag(SNAPSHOT_V8_FLAGS)).not.toBe(tag(KERNEL_V8_FLAGS));
    for (const [env, expected] of [[{ GRADLAB_NO_SNAPSHOT: "1" }, tag(KERNEL_V8_FLAGS)], [withSnapshot, tag(SNAPSHOT_V8_FLAGS)]] as const) {
      const kernel = await KernelClient.start({ env });
      try {
        const r = await kernel.run("String((await import('node:v8')).cachedDataVersionTag())");
        expect(outputsOf(r, "execute_result")[0]!.content.data["text/plain"]).toBe(`'${expected}'`);
        // A worker thread in the kernel's process (the socket worker is one; cells may start more).
        const worker = await kernel.run("const { Worker } = await import('node:worker_threads');\nawait new Promise((resolve) => new Worker('require(\"node:worker_threads\").parentPort.postMessage(6 * 7)', { eval: true }).once('message', resolve))");
        expect(outputsOf(worker, "execute_result")[0]!.content.data["text/plain"]).toBe("42");
      } finally {
        await kernel.stop();
      }
    }
  }, 60_000);

  it("falls back to a normal start when Node refuses the blob, and does not end the kernel", async () => {
    // The blob `gradlab.js kernel` finds, replaced by one of a differently configured V8 (as
    // after an update that changed the kernel's V8 flags, before the rebuild).
    const real = path.join(cache, blobs()[0]!);
    const saved = `${real}.saved`;
    const dir = mkdtempSync(path.join(os.tmpdir(), "gradlab-refused-blob-"));
    cpSync(real, saved);
    try {
      writeFileSync(path.join(dir, "entry.cjs"), "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {});\n");
      const built = spawnSync(process.execPath, ["--max-semi-space-size=16", "--snapshot-blob", real, "--build-snapshot", path.join(dir, "entry.cjs")], { encoding: "utf8" });
      expect(built.status, built.stderr).toBe(0);
      const kernel = await KernelClient.start({ env: withSnapshot });
      try {
        const r = await kernel.run("tensor([1, 2]).shape");
        expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
        const log = kernel.stderr.join("");
        expect(log).toContain("starting from the snapshot");
        expect(log).not.toContain("restored from the snapshot");
      } finally {
        await kernel.stop();
      }
    } finally {
      cpSync(saved, real);
      rmSync(saved, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("gives a restored kernel one V8 background thread only on machines with two cores or fewer", () => {
    expect(restoredKernelOptions(1)).toEqual(["--v8-pool-size=1"]);
    expect(restoredKernelOptions(2)).toEqual(["--v8-pool-size=1"]);
    expect(restoredKernelOptions(4)).toEqual([]);
  });

  it("a restored process whose kernel cannot start exits with the code that makes the launcher start it normally", async () => {
    // A copy of the package whose kernel entry cannot load (as after a broken update).
    const root = mkdtempSync(path.join(os.tmpdir(), "gradlab-broken-copy-"));
    try {
      const copy = path.join(root, "gradlab");
      for (const part of ["bin", "dist", "package.json"]) cpSync(path.join(REPO, part), path.join(copy, part), { recursive: true });
      symlinkSync(path.join(REPO, "node_modules"), path.join(copy, "node_modules"));
      const env = { ...process.env, ...withSnapshot, GRADLAB_CACHE_DIR: path.join(root, "cache") };
      const built = spawnSync(process.execPath, [path.join(copy, "bin", "gradlab.js"), "snapshot"], { env, encoding: "utf8" });
      expect(built.status, built.stderr).toBe(0);
      const blob = /Built the start-up snapshot: (.*\.blob)/.exec(built.stdout)![1]!;
      rmSync(path.join(copy, "dist", "kernel", "main.js"));
      const ports = { shell_port: await freePort(), iopub_port: await freePort(), stdin_port: await freePort(), control_port: await freePort(), hb_port: await freePort() };
      const connection = path.join(root, "kernel.json");
      writeFileSync(connection, JSON.stringify({ transport: "tcp", ip: "127.0.0.1", key: "k", signature_scheme: "hmac-sha256", ...ports }));
      const run = spawnSync(process.execPath, [...restoredArgv(), "--snapshot-blob", blob, connection], { env, encoding: "utf8", timeout: 30_000 });
      expect(run.stderr).toContain("start from snapshot failed: Error: Cannot find module");
      // Not an abort in ZeroMQ's teardown: the socket worker had started and was binding.
      expect(run.status, run.stderr).toBe(75);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 90_000);

  describe.runIf(process.platform !== "win32")("what Jupyter runs (kernel.json: bin/gradlab-kernel.sh)", () => {
    const jupyterArgv = kernelArgv(path.dirname(GRADLAB_BIN), installId());
    const pointer = path.join(cache, `kernel-${installId()}.launch`);

    it("starts Node from the snapshot itself, without a launcher process", async () => {
      // Written by the build in the tests above.
      const [builtBy, blob] = readFileSync(pointer, "utf8").split("\n");
      expect(builtBy).toBe(process.execPath);
      expect(blobs().map((b) => path.join(cache, b))).toContain(blob);
      const kernel = await KernelClient.start({ env: withSnapshot, argv: jupyterArgv });
      try {
        // The socket worker traces from its own thread, and its last line can reach stderr just
        // after the kernel answers: wait for it (up to 10 s) rather than race it.
        for (let i = 0; i < 100 && !kernel.stderr.join("").includes("connected to the socket relay"); i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const log = kernel.stderr.join("");
        expect(log).toContain("restored from the snapshot");
        // gradlab.js kernel's trace when it finds the snapshot and starts a second process.
        expect(log).not.toContain("starting from the snapshot");
        // The kernel's and the socket worker's ES modules come from one file each
        // (scripts/bundle-kernel.mjs), built by npm test.
        expect(log).toContain("importing the kernel bundle");
        // The sockets bind while the kernel's modules load, not after (see wire/spawn.cts).
        const step = (name: string): number => log.indexOf(`: ${name}`);
        expect(log).toContain("socket worker started (bundled)");
        expect(step("socket worker started")).toBeGreaterThan(step("snapshot checked"));
        expect(step("socket worker started")).toBeLessThan(step("kernel modules loaded"));
        // Jupyter's ports are held by the launcher's socket relay, to which the worker connects.
        expect(step("ports bound (socket relay)")).toBeGreaterThan(0);
        expect(step("connected to the socket relay (socket worker)")).toBeGreaterThan(0);
        // The kernel's imports of engine.cjs & co. get the snapshot's compiled copies.
        expect(Number(/(\d+) CommonJS modules shared with require/.exec(log)?.[1])).toBeGreaterThanOrEqual(8);
        const r = await kernel.run("await tensor([1, 2, 3]).sum().item()");
        expect(outputsOf(r, "execute_result")[0]!.content.data["text/plain"]).toBe("6");
        const options = await kernel.run("process.execArgv.filter((a) => !a.endsWith('.blob') && a !== '--snapshot-blob')");
        expect(JSON.parse(outputsOf(options, "execute_result")[0]!.content.data["text/plain"].replace(/'/g, '"'))).toEqual(restoredArgv());
      } finally {
        await kernel.stop();
      }
    }, 60_000);

    it("starts normally when Node cannot load the snapshot (another Node version or V8 configuration)", async () => {
      const saved = readFileSync(pointer, "utf8");
      const dir = mkdtempSync(path.join(os.tmpdir(), "gradlab-foreign-blob-"));
      try {
        // A blob of a differently configured V8: Node refuses it with exit code 14, as it does
        // a blob of another Node version.
        writeFileSync(path.join(dir, "entry.cjs"), "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {});\n");
        const foreign = path.join(dir, "foreign.blob");
        const built = spawnSync(process.execPath, ["--max-semi-space-size=16", "--snapshot-blob", foreign, "--build-snapshot", path.join(dir, "entry.cjs")], { encoding: "utf8" });
        expect(built.status, built.stderr).toBe(0);
        expect(spawnSync(process.execPath, ["--snapshot-blob", foreign]).status).toBe(14);
        writeFileSync(pointer, `${process.execPath}\n${foreign}\n`);
        const kernel = await KernelClient.start({ env: withSnapshot, argv: jupyterArgv });
        try {
          const r = await kernel.run("tensor([1, 2]).shape");
          expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
          // The fallback is `gradlab.js kernel`, which finds this user's real snapshot.
          expect(kernel.stderr.join("")).toContain("starting from the snapshot");
        } finally {
          await kernel.stop();
        }
      } finally {
        writeFileSync(pointer, saved);
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);

    it("does not use a snapshot another Node built", async () => {
      const saved = readFileSync(pointer, "utf8");
      writeFileSync(pointer, saved.replace(process.execPath, "/opt/other-node/bin/node"));
      try {
        const kernel = await KernelClient.start({ env: withSnapshot, argv: jupyterArgv });
        try {
          expect((await kernel.run("1+1")).reply.content.status).toBe("ok");
          expect(kernel.stderr.join("")).toContain("starting from the snapshot");
        } finally {
          await kernel.stop();
        }
      } finally {
        writeFileSync(pointer, saved);
      }
    }, 60_000);

    it("ends with one clear line when the connection file cannot be used", () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "gradlab-bad-connection-"));
      try {
        const file = path.join(dir, "kernel.json");
        writeFileSync(file, JSON.stringify({ transport: "tcp", ip: "127.0.0.1", key: "k" }));
        const [command, ...args] = jupyterArgv.map((a) => a.replace("{connection_file}", file));
        const run = spawnSync(command!, args, { encoding: "utf8", env: { ...process.env, ...withSnapshot }, timeout: 60_000 });
        expect(run.status, run.stderr).toBe(1);
        expect(run.stderr).toContain("restored from the snapshot");
        expect(run.stderr).toContain(`cannot open the kernel's sockets: ${file}: shell_port must be an integer`);
        expect(run.stderr).not.toMatch(/^\s+at /m);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);
  });
});
