// The socket relay: `node relay.cjs CONNECTION_FILE DIR`, started by bin/gradlab-kernel.sh
// next to the kernel. It binds Jupyter's ports about 120 ms after launch, while the kernel
// restored from its snapshot binds them only once its socket worker is up (about 450 ms here:
// a worker thread in a process restored from a 44 MB snapshot takes 100 ms to boot). A frontend
// that connects before a port is bound retries only every 100–200 ms (ZeroMQ's reconnect
// interval), so the late bind cost 50–70 ms on the first reply. Here the first request waits in
// the relay instead, and the worker connects to it (wire/worker.ts).
//
// Frames pass untouched, in ZeroMQ's own proxy threads: the worker still checks every signature
// and answers heartbeats, interrupts and shutdowns. The relay's side of each channel is an ipc
// socket in DIR, a folder only this user can open (mktemp -d).
//
// CommonJS, so Node starts it without its ES module loader.
process.env.UV_THREADPOOL_SIZE ??= "8"; // one libuv thread per zmq.Proxy (five), before any is used

import zmq = require("zeromq");
import { rmSync } from "node:fs";
import { channelAddress, readConnectionFile, relayAddress, type Channel, type ConnectionInfo } from "./connection.cjs";

/** How long to keep trying a port still held by the kernel this one replaces (a restart). */
const BIND_RETRY_MS = 10_000;
/** After SIGTERM: time for queued replies (e.g. shutdown_reply) to leave before exiting anyway. */
const LINGER_MS = 1000;

function log(text: string): void {
  process.stderr.write(`[gradlab kernel] socket relay: ${text}\n`);
}

/** Like log.ts's trace; the relay starts with the kernel, so their clocks roughly agree. */
function trace(step: string): void {
  if (process.env.GRADLAB_TRACE) process.stderr.write(`[gradlab kernel] ${performance.now().toFixed(1)} ms: ${step} (socket relay)\n`);
}

/** Both sides of one channel: Jupyter's port and the worker's ipc socket. */
interface Pair {
  channel: Channel;
  front: zmq.Router | zmq.XPublisher;
  back: zmq.Dealer | zmq.XSubscriber;
}

function requestPair(channel: Exclude<Channel, "iopub">): Pair {
  const back = new zmq.Dealer();
  // The kernel answers stdin requests to the identities of the shell request that asked (the
  // client's, after the relay's own). One routing id on every channel keeps those routable.
  back.routingId = "gradlab-relay";
  return { channel, front: new zmq.Router(), back };
}

function iopubPair(): Pair {
  const front = new zmq.XPublisher();
  // Every subscription reaches the worker, which greets each new subscriber with the kernel's state.
  front.verbosity = "allSubs";
  const back = new zmq.XSubscriber();
  // Outputs are never dropped on the way to a slow frontend (as in the worker).
  front.sendHighWaterMark = 0;
  back.receiveHighWaterMark = 0;
  return { channel: "iopub", front, back };
}

async function bindRetrying(socket: zmq.Socket, address: string): Promise<void> {
  const giveUp = Date.now() + BIND_RETRY_MS;
  for (;;) {
    try {
      await socket.bind(address);
      return;
    } catch (error) {
      const inUse = (error as { code?: unknown }).code === "EADDRINUSE";
      if (!inUse || Date.now() > giveUp) throw new Error(`cannot bind ${address}: ${error instanceof Error ? error.message : String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function main(): Promise<void> {
  // Interrupts are the kernel's: a Ctrl-C sent to the whole process group must not end the relay.
  process.on("SIGINT", () => undefined);
  const [connectionFile, dir] = process.argv.slice(2);
  if (!connectionFile || !dir) throw new Error("usage: relay.cjs CONNECTION_FILE DIR");
  // An unusable connection file is the kernel's to report, with the reason: its worker reads the
  // same file. The relay just does not start.
  let connection: ConnectionInfo;
  try {
    connection = readConnectionFile(connectionFile);
  } catch {
    process.exit(2);
  }
  const pairs = [requestPair("shell"), requestPair("control"), requestPair("stdin"), requestPair("hb"), iopubPair()];
  for (const { front, back } of pairs) front.linger = back.linger = LINGER_MS;
  try {
    await Promise.all(pairs.flatMap(({ channel, front, back }) => [back.bind(relayAddress(dir, channel)), bindRetrying(front, channelAddress(connection, channel))]));
  } catch (error) {
    // Exiting with sockets open can leave ZeroMQ's teardown waiting on them.
    for (const { front, back } of pairs) {
      front.close();
      back.close();
    }
    throw error;
  }
  trace("ports bound");
  const proxies = pairs.map(({ front, back }) => new zmq.Proxy(front, back));
  const running = Promise.all(proxies.map((proxy) => proxy.run()));

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    rmSync(dir, { recursive: true, force: true });
    // Sockets still inside a proxy thread would keep ZeroMQ's teardown, and so exit, waiting.
    setTimeout(() => process.kill(process.pid, "SIGKILL"), LINGER_MS + 500).unref();
    for (const proxy of proxies) proxy.terminate();
    void running.finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGHUP", stop);
  // The launcher stops the relay after the kernel; if the launcher itself was killed, nobody will.
  const parentPid = process.ppid;
  setInterval(() => {
    if (process.ppid !== parentPid) stop();
  }, 200);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
