// The server a simulation runs against: an address to reach (a running `hotline serve`, SIPp, anything SIP), or one started in-process through a hook the composition root provides.

/** A SIP server to simulate against, with what it was provisioned with. */
export interface ServerHandle {
  /** Where its SIP (UDP) listens. */
  sip: { host: string; port: number };
  /** The tenant domain to register to and call (`sip:NUMBER@DOMAIN`). */
  domain: string;
  /** The gateway account the server issued; overrides the scenario's (e.g. a generated password). */
  gateway?: { username: string; password: string };
  /** Agent extensions and passwords the server holds; override the scenario's passwords by extension. */
  agents?: ReadonlyArray<{ extension: string; password: string }>;
  /** Numbers the server routes; a scenario without numbers calls the first. */
  numbers?: readonly string[];
  /** Lines to show in reports (admin API address, data directory…). */
  info?: Readonly<Record<string, string>>;
  /** Stops an in-process server (the runner calls it at the end). */
  close?(): Promise<void>;
}

/** What a scenario asks an in-process server to provision. */
export interface InProcessServerRequest {
  domain: string;
  gateway: { username: string; password?: string };
  agents: ReadonlyArray<{ extension: string; password: string }>;
  numbers: readonly string[];
}

/** Starts a server in this process for a scenario with `server.inProcess: true` (the lead's `hotline serve` composition provides one). */
export type StartServer = (request: InProcessServerRequest) => Promise<ServerHandle>;

/** Parses `HOST:PORT` (IPv6 as `[::1]:5060`); the port defaults to 5060. @throws {TypeError} naming the text. */
export function parseHostPort(text: string, defaultPort = 5060): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  if (!m) throw new TypeError(`"${text}" is not HOST:PORT`);
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`"${text}": port must be in 1..65535`);
  return { host: m[1], port };
}
