// The kernel's compiled folder, dist/kernel/. Found from this file, which sits at its top both as
// dist/kernel/kernel-dir.js and inside the kernel bundle (dist/kernel/start-bundle.js), so that
// paths computed from it are right either way (see scripts/bundle-kernel.mjs).
import { fileURLToPath } from "node:url";

export const KERNEL_DIR = fileURLToPath(new URL(".", import.meta.url));
