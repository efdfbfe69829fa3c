import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import type { Browser } from "playwright-core";
import { setBackend, tensor } from "../../../lib/index.js";
import { expectClose } from "../../helpers/assert.js";
import { CHROMIUM } from "../../helpers/browser.js";
import type { Nested } from "../../../lib/index.js";

// The same library in a real browser, where the device comes from navigator.gpu (Chromium's
// WebGPU on SwiftShader here). The sources are served straight from lib/, compiled per request,
// so the test never runs a stale build.
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
let server: Server;
let base = "";
let browser: Browser;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    try {
      if (path === "/") {
        res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>gradlab webgpu</title>");
        return;
      }
      if (!path.startsWith("/lib/") || !path.endsWith(".js")) throw new Error("not found");
      const source = await readFile(join(root, path.replace(/\.js$/, ".ts")), "utf8");
      const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      res.writeHead(200, { "content-type": "text/javascript" }).end(js);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader", "--disable-background-networking", "--no-first-run"],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/**
 * A small training step and a few kernels, run in the page. (`load` is dynamic import, spelled
 * so that vitest's module transform does not rewrite it inside this string.)
 */
const program = `
  const load = new Function("p", "return imp" + "ort(p)");
  const { setBackend, backendInfo } = await load("/lib/backend/registry.js");
  const { tensor } = await load("/lib/tensor/creation.js");
  const name = await setBackend("webgpu");
  const x = tensor([[0.5, -1, 2], [1.5, 0.25, -0.75]]);
  const w = tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], { requiresGrad: true });
  const y = tensor([[1], [0]], { dtype: "int32" });
  const loss = x.matmul(w).tanh().logSoftmax(1).gather(1, y).mean().neg();
  loss.backward();
  return {
    name, device: loss.device, reason: backendInfo().reason,
    loss: await loss.item(), grad: await w.grad.array(), argmax: await x.argmax(1).array(),
  };
`;

describe("WebGPU in a browser (navigator.gpu)", () => {
  it("runs kernels and autograd on the browser's adapter, agreeing with the CPU", async () => {
    const page = await browser.newPage();
    await page.goto(base + "/");
    const got = (await page.evaluate(`(async () => { ${program} })()`)) as {
      name: string; device: string; reason: string; loss: number; grad: Nested; argmax: Nested;
    };
    await page.close();
    expect(got.name).toBe("webgpu");
    expect(got.device).toBe("webgpu");
    expect(got.reason).toMatch(/navigator\.gpu/);

    await setBackend("cpu");
    const x = tensor([[0.5, -1, 2], [1.5, 0.25, -0.75]]);
    const w = tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], { requiresGrad: true });
    const y = tensor([[1], [0]], { dtype: "int32" });
    const loss = x.matmul(w).tanh().logSoftmax(1).gather(1, y).mean().neg();
    loss.backward();
    expect(Math.abs(got.loss - (loss.itemSync() as number))).toBeLessThan(1e-5);
    expectClose(got.grad, w.grad!.arraySync(), 1e-5);
    expect(got.argmax).toEqual([2, 0]);
  }, 120_000);
});
