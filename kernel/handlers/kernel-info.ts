// kernel_info_reply: who we are, the real TypeScript version, and the backend chosen at start.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { JsonObject } from "../wire/message.js";
import { PROTOCOL_VERSION } from "../wire/message.js";

export function packageVersion(root: string): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export function kernelInfo(options: { version: string; tsVersion: string; backend: string; preloaded: number }): JsonObject {
  const banner = [
    `gradlab ${options.version}: TypeScript ${options.tsVersion} (tslab engine) on Node.js ${process.version}`,
    `Backend: ${options.backend}`,
    `${options.preloaded} gradlab names preloaded; display(), clearOutput(), await input() are available.`,
  ].join("\n");
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "gradlab",
    implementation_version: options.version,
    language_info: {
      name: "typescript",
      version: options.tsVersion,
      mimetype: "text/typescript",
      file_extension: ".ts",
      pygments_lexer: "typescript",
      codemirror_mode: "typescript",
    },
    banner,
    debugger: false,
    help_links: [
      { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
      { text: "Node.js API", url: "https://nodejs.org/docs/latest-v20.x/api/" },
    ],
  };
}
