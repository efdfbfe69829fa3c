// Worker thread owning the kernel's ZeroMQ sockets. It verifies signatures, answers the
// heartbeat, and handles `interrupt_request` and `shutdown_request` itself: the main thread may
// be stuck in a student's loop, and these two requests exist precisely for that case.
import { workerData } from "node:worker_threads";
import * as zmq from "zeromq";
import type { MainCommand, RequestChannel, WorkerEvent } from "./bridge.js";
import { channelAddress, readConnectionFile, relayAddress, type Channel } from "./connection.cjs";
import { readFileSync, writeSync } from "node:fs";
import { createMessage, decodeMessage, encodeMessage, InvalidMessageError, Signer } from "./message.js";
import type { JupyterMessage } from "./message.js";
import { Outbox, type Outgoing } from "./outbox.js";
import type { WorkerConfig } from "./spawn.cjs";

const config = workerData as WorkerConfig;
const port = config.port;
// A connection file that cannot be used fails the worker, and with it Wire.start().
const connection = readConnectionFile(config.connectionFile);
const signer = new Signer(connection.key, connection.signature_scheme);
const interruptCounter = new Int32Array(config.interruptCounter);

const shell = new zmq.Router();
const control = new zmq.Router();
const stdin = new zmq.Router();
// An XPUB socket sees each new subscriber (see welcomeLoop); verbose, so that subscribers after
// the first are seen too.
const iopub = new zmq.XPublisher();
iopub.verbosity = "allSubs";
const heartbeat = new zmq.Reply();
// Outputs must never be dropped on the way to a slow frontend, so the publisher queue is unbounded.
iopub.sendHighWaterMark = 0;
for (const socket of [shell, control, stdin, iopub, heartbeat]) socket.linger = 1000;

const routers: Record<Outgoing["channel"], zmq.Router | zmq.XPublisher> = { shell, control, stdin, iopub };

/** zeromq allows one pending send per socket; sends are chained so none is rejected with EBUSY. */
const sendChains = new Map<zmq.Router | zmq.XPublisher, Promise<void>>();

function deliver(out: Outgoing): Promise<void> {
  const socket = routers[out.channel];
  const frames = encodeMessage(out.message, out.identities, signer);
  const next = (sendChains.get(socket) ?? Promise.resolve())
    .then(() => socket.send(frames))
    .catch((err: unknown) => log(`failed to send ${out.message.header.msg_type} on ${out.channel}: ${String(err)}`));
  sendChains.set(socket, next);
  return next;
}

const outbox = new Outbox((out) => void deliver(out), (flush) => setImmediate(flush));

function post(event: WorkerEvent): void {
  port.postMessage(event);
}

function log(text: string): void {
  process.stderr.write(`[gradlab kernel] ${text}\n`);
}

/** Like log.ts's trace, on the main thread's clock. */
function trace(step: string): void {
  if (process.env.GRADLAB_TRACE) log(`${(performance.timeOrigin + performance.now() - config.traceOrigin).toFixed(1)} ms: ${step} (socket worker)`);
}

function publishStatus(state: "busy" | "idle" | "starting", parent: JupyterMessage | null): void {
  const message = createMessage("status", { execution_state: state }, config.session, {
    parent: parent?.header ?? {},
  });
  outbox.push({ channel: "iopub", identities: [], message });
}

function reply(channel: "control", identities: Uint8Array[], request: JupyterMessage, type: string, content: Record<string, unknown>): void {
  outbox.push({ channel, identities, message: createMessage(type, content, config.session, { parent: request.header }) });
}

async function receiveLoop(socket: zmq.Router, channel: RequestChannel): Promise<void> {
  for await (const frames of socket) {
    let decoded;
    try {
      decoded = decodeMessage(frames, signer);
    } catch (err) {
      if (err instanceof InvalidMessageError) {
        log(`dropped a message on ${channel}: ${err.message}`);
        continue;
      }
      throw err;
    }
    const { identities, message } = decoded;
    if (channel === "control" && handleControl(identities, message)) continue;
    post({ type: "request", channel, identities, message });
  }
}

let shuttingDown = false;

/** Returns true when the request was fully handled here. */
function handleControl(identities: Uint8Array[], request: JupyterMessage): boolean {
  const type = request.header.msg_type;
  if (type === "interrupt_request") {
    publishStatus("busy", request);
    // Counter first: the main thread may check it synchronously between compiling and running.
    Atomics.add(interruptCounter, 0, 1);
    // A signal reaches the main thread even inside a synchronous loop (vm breakOnSigint).
    process.kill(process.pid, "SIGINT");
    reply("control", identities, request, "interrupt_reply", { status: "ok" });
    publishStatus("idle", request);
    return true;
  }
  if (type === "shutdown_request") {
    const restart = request.content.restart === true;
    publishStatus("busy", request);
    reply("control", identities, request, "shutdown_reply", { status: "ok", restart });
    publishStatus("idle", request);
    if (!shuttingDown) {
      shuttingDown = true;
      post({ type: "shutdown", restart });
      // If the main thread is stuck in user code it cannot exit by itself.
      setTimeout(() => {
        log("main thread did not stop within 3 s of shutdown_request; killing the process");
        process.kill(process.pid, "SIGKILL");
      }, 3000).unref();
    }
    return true;
  }
  return false;
}

/**
 * The kernel's execution state as the main thread last published it (with that status's
 * parent), or "starting" until it publishes one. The worker's own statuses around interrupt and
 * shutdown requests leave it alone: they say nothing about whether a cell is running.
 */
let executionState: { state: string; parent: JupyterMessage["parent_header"] } = { state: "starting", parent: {} };

/**
 * A subscriber that connects after a status was published has missed it, and PUB/SUB does not
 * replay. Jupyter Server waits for its activity monitor to see the kernel leave "starting"
 * before it forwards a notebook's first request; its subscriber connects on ZeroMQ's reconnect
 * timer (every 100–200 ms), often after the first busy/idle, and it then waited for its next
 * nudge, 500 ms later. So each new subscriber is sent the current state at once.
 */
async function welcomeLoop(): Promise<void> {
  for await (const [frame] of iopub) {
    // Subscription messages: 1 then the topic; 0 is an unsubscription.
    if (frame?.[0] !== 1) continue;
    const { state, parent } = executionState;
    outbox.push({ channel: "iopub", identities: [], message: createMessage("status", { execution_state: state }, config.session, { parent }) });
  }
}

async function heartbeatLoop(): Promise<void> {
  for await (const frames of heartbeat) await heartbeat.send(frames);
}

async function close(): Promise<void> {
  // Closing a socket while it is still binding leaves ZeroMQ's teardown to abort the process.
  await binding.catch(() => undefined);
  outbox.flush();
  await Promise.all(sendChains.values());
  for (const socket of [shell, control, stdin, iopub, heartbeat]) socket.close();
  // The main thread exits on "closed"; a receive still pending in ZeroMQ when the worker is torn
  // down can abort the process instead, so the loops end first (closing ends them at once).
  await Promise.race([receiving, new Promise((resolve) => setTimeout(resolve, 500))]);
  post({ type: "closed" });
}

port.on("message", (command: MainCommand) => {
  if (command.type === "send") {
    if (command.channel === "iopub" && command.message.header.msg_type === "status") {
      executionState = { state: String(command.message.content.execution_state), parent: command.message.parent_header };
    }
    outbox.push(command);
  } else if (command.type === "close") void close();
});

/** Binds Jupyter's port for `channel`, or connects to the socket relay that holds it (relay.cts). */
function open(socket: zmq.Socket, channel: Channel): Promise<void> {
  if (!config.relay) return socket.bind(channelAddress(connection, channel));
  // Only matters if this runs before the relay has bound its side: then retry soon.
  socket.reconnectInterval = 10;
  socket.connect(relayAddress(config.relay.dir, channel));
  return Promise.resolve();
}

let binding: Promise<unknown> = Promise.resolve();
let receiving: Promise<unknown> = Promise.resolve();

async function start(): Promise<void> {
  binding = Promise.all([open(shell, "shell"), open(control, "control"), open(stdin, "stdin"), open(iopub, "iopub"), open(heartbeat, "hb")]);
  await binding;
  publishStatus("starting", null);
  post({ type: "ready" });
  trace(config.relay ? "connected to the socket relay" : "sockets bound");
  const loops = [receiveLoop(shell, "shell"), receiveLoop(control, "control"), receiveLoop(stdin, "stdin"), heartbeatLoop(), welcomeLoop()];
  receiving = Promise.allSettled(loops);
  await Promise.all(loops.map((p) => p.catch((err: unknown) => {
    // Closing a socket ends its loop with an error; only report it when it is unexpected.
    if (!(err instanceof Error && /closed|terminated/i.test(err.message))) throw err;
  })));
}

// Like ipykernel's parent poller: when the process that started the kernel dies (its ppid
// changes), nobody can shut the kernel down any more, so it ends itself.
// Likewise when the socket relay is gone (it could not bind a port, or was killed): no frontend
// can reach the kernel any more.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) {
    exitNow(`parent process ${parentPid} is gone; exiting`);
  } else if (config.relay && !running(config.relay.pid)) {
    exitNow(`the socket relay (process ${config.relay.pid}) has ended, so no frontend can reach this kernel; exiting`);
  }
}, 1000).unref();

/** The worker's stderr reaches the log through the main thread, too late for a last line. */
function exitNow(reason: string): void {
  writeSync(2, `[gradlab kernel] ${reason}\n`);
  process.kill(process.pid, "SIGTERM");
}

/** Whether a process exists and has not ended (a zombie has ended). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Linux: the state follows the parenthesised command name in /proc/PID/stat.
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

start().catch((err: unknown) => {
  post({ type: "fatal", error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
});
