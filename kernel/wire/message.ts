// Jupyter messages (messaging protocol 5.3) and their ZeroMQ wire encoding.
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const PROTOCOL_VERSION = "5.3";
const DELIMITER = Buffer.from("<IDS|MSG>");

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  [extra: string]: unknown;
}

export type JsonObject = { [key: string]: unknown };

export interface JupyterMessage<C extends JsonObject = JsonObject> {
  header: MessageHeader;
  /** Empty object for messages without a parent (e.g. the `starting` status). */
  parent_header: MessageHeader | JsonObject;
  metadata: JsonObject;
  content: C;
  buffers: Uint8Array[];
}

/** Signs and checks messages with the connection file's key and scheme. */
export class Signer {
  private readonly algorithm: string | null;

  constructor(
    private readonly key: string,
    scheme: string,
  ) {
    if (key === "") {
      this.algorithm = null; // An empty key means authentication is disabled.
    } else if (scheme.startsWith("hmac-")) {
      this.algorithm = scheme.slice("hmac-".length);
    } else {
      throw new Error(`unsupported signature scheme: ${scheme}`);
    }
  }

  sign(frames: readonly (string | Uint8Array)[]): string {
    if (this.algorithm === null) return "";
    const hmac = createHmac(this.algorithm, this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest("hex");
  }

  verify(signature: string, frames: readonly Uint8Array[]): boolean {
    if (this.algorithm === null) return true;
    const expected = Buffer.from(this.sign(frames), "utf8");
    const actual = Buffer.from(signature, "utf8");
    // Constant-time comparison so the signature cannot be guessed byte by byte.
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}

export interface DecodedMessage {
  /** ZeroMQ routing prefix, needed to address the reply to the same client. */
  identities: Uint8Array[];
  message: JupyterMessage;
}

export class InvalidMessageError extends Error {
  override name = "InvalidMessageError";
}

/** Parses and authenticates a multipart message; throws InvalidMessageError when it is not acceptable. */
export function decodeMessage(frames: readonly Uint8Array[], signer: Signer): DecodedMessage {
  const delimiterAt = frames.findIndex((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength).equals(DELIMITER));
  if (delimiterAt < 0) throw new InvalidMessageError("missing <IDS|MSG> delimiter");
  if (frames.length < delimiterAt + 6) throw new InvalidMessageError("too few frames");
  const signature = Buffer.from(frames[delimiterAt + 1]!).toString("utf8");
  const signed = frames.slice(delimiterAt + 2, delimiterAt + 6);
  if (!signer.verify(signature, signed)) throw new InvalidMessageError("invalid HMAC signature");
  const [header, parent, metadata, content] = signed.map((f, i) => parseJsonObject(f, i));
  if (typeof header!.msg_type !== "string" || typeof header!.msg_id !== "string") {
    throw new InvalidMessageError("header lacks msg_type or msg_id");
  }
  return {
    identities: frames.slice(0, delimiterAt).map((f) => Uint8Array.from(f)),
    message: {
      header: header as MessageHeader,
      parent_header: parent!,
      metadata: metadata!,
      content: content!,
      buffers: frames.slice(delimiterAt + 6).map((f) => Uint8Array.from(f)),
    },
  };
}

function parseJsonObject(frame: Uint8Array, index: number): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(frame).toString("utf8"));
  } catch {
    throw new InvalidMessageError(`frame ${index} is not JSON`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidMessageError(`frame ${index} is not a JSON object`);
  }
  return value as JsonObject;
}

export function encodeMessage(
  message: JupyterMessage,
  identities: readonly Uint8Array[],
  signer: Signer,
): (string | Uint8Array)[] {
  const signed = [
    JSON.stringify(message.header),
    JSON.stringify(message.parent_header),
    JSON.stringify(message.metadata),
    JSON.stringify(message.content),
  ];
  return [...identities, DELIMITER, signer.sign(signed), ...signed, ...message.buffers];
}

export interface MessageOptions {
  parent?: MessageHeader | JsonObject;
  metadata?: JsonObject;
  buffers?: Uint8Array[];
}

/** Builds a message; replies and outputs inherit session and username from their parent. */
export function createMessage<C extends JsonObject>(
  msgType: string,
  content: C,
  session: string,
  options: MessageOptions = {},
): JupyterMessage<C> {
  const parent = options.parent ?? {};
  return {
    header: {
      msg_id: randomUUID(),
      session,
      username: typeof parent.username === "string" ? parent.username : "gradlab",
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    },
    parent_header: parent,
    metadata: options.metadata ?? {},
    content,
    buffers: options.buffers ?? [],
  };
}
