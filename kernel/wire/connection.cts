// The connection file Jupyter writes before starting a kernel.
import { readFileSync } from "node:fs";

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
}

export type Channel = "shell" | "iopub" | "stdin" | "control" | "hb";

export function readConnectionFile(path: string): ConnectionInfo {
  const raw: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (raw === null || typeof raw !== "object") throw new Error(`${path}: not a JSON object`);
  const obj = raw as Record<string, unknown>;
  const port = (name: string): number => {
    const value = obj[name];
    if (typeof value !== "number" || !Number.isInteger(value)) throw new Error(`${path}: ${name} must be an integer`);
    return value;
  };
  const transport = obj.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") throw new Error(`${path}: unsupported transport ${String(transport)}`);
  return {
    transport,
    ip: typeof obj.ip === "string" ? obj.ip : "127.0.0.1",
    key: typeof obj.key === "string" ? obj.key : "",
    signature_scheme: typeof obj.signature_scheme === "string" ? obj.signature_scheme : "hmac-sha256",
    shell_port: port("shell_port"),
    iopub_port: port("iopub_port"),
    stdin_port: port("stdin_port"),
    control_port: port("control_port"),
    hb_port: port("hb_port"),
  };
}

export function channelAddress(info: ConnectionInfo, channel: Channel): string {
  const port = info[`${channel}_port`];
  // For ipc, Jupyter names the socket files "<ip>-<port>".
  return info.transport === "tcp" ? `tcp://${info.ip}:${port}` : `ipc://${info.ip}-${port}`;
}

/** The socket relay's side of a channel (wire/relay.cts), in its private folder. */
export function relayAddress(dir: string, channel: Channel): string {
  return `ipc://${dir}/${channel}`;
}
