#!/usr/bin/env node
// The `gradlab` command; the implementation is compiled TypeScript in dist/kernel/.
import { main } from "../dist/kernel/cli.js";

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
