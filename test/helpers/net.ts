import { readFileSync } from "node:fs";
import { createServer } from "node:net";

// A port from the ephemeral range, once released, can be handed to any other process's
// listen(0) before our server binds it: on two cores with kernels, Jupyter servers and hubs
// starting in parallel test files, one kernel in a few hundred failed with "Address already in
// use". Ports below that range are only ever taken by asking for them by number.
const LOWEST = 10_000;
const handedOut = new Set<number>();

function ephemeralRangeStart(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > LOWEST + 1000) return low;
  } catch {
    // Not Linux: 32768 is below both Linux's and the IANA (49152) ephemeral ranges' starts.
  }
  return 32_768;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A loopback port nothing listens on right now and this process has not handed out before (for servers the tests start). */
export async function freePort(): Promise<number> {
  const end = ephemeralRangeStart();
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (end - LOWEST));
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free loopback port between ${LOWEST} and ${end - 1} after 500 tries`);
}
