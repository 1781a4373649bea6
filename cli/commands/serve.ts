// `hotline serve`: runs the server (SIP on UDP+TCP, RTP range, admin API) with embedded defaults.
// Flags win over HOTLINE_* variables, which win over defaults (DESIGN.md §3).
import { parseFlags } from '../args.ts';
import type { Command } from '../main.ts';
import { defaultPrompts } from '../server/prompts.ts';
import { HotlineServer, SERVER_DEFAULTS } from '../server/server.ts';

/** Parses `HOST:PORT` (IPv6 as `[::1]:5060`). @throws TypeError naming the flag. */
export function parseHostPort(value: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new TypeError(`${flag}: expected HOST:PORT, got "${value}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** Parses `LOW-HIGH`. @throws TypeError naming the flag. */
export function parsePortRange(value: string, flag: string): { min: number; max: number } {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(value);
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2]) : NaN;
  if (!m || min < 1024 || max > 65535 || max - min < 3) throw new TypeError(`${flag}: expected LOW-HIGH within 1024-65535, got "${value}"`);
  return { min, max };
}

export interface ServeConfig {
  sip: { host: string; port: number };
  http: { host: string; port: number };
  rtpPorts: { min: number; max: number };
  dataDir: string;
  adminToken?: string;
  databaseUrl?: string;
  advertiseAddress?: string;
}

/** Flags > environment > defaults. */
export function serveConfig(args: string[], env: NodeJS.ProcessEnv): ServeConfig {
  const { values } = parseFlags(args, {
    sip: { type: 'string' },
    http: { type: 'string' },
    'rtp-ports': { type: 'string' },
    data: { type: 'string' },
    advertise: { type: 'string' },
  });
  const sip = values.sip ?? env.HOTLINE_SIP;
  const http = values.http ?? env.HOTLINE_HTTP;
  const rtp = values['rtp-ports'] ?? env.HOTLINE_RTP_PORTS;
  return {
    sip: sip ? parseHostPort(sip, '--sip') : { ...SERVER_DEFAULTS.sip },
    http: http ? parseHostPort(http, '--http') : { ...SERVER_DEFAULTS.http },
    rtpPorts: rtp ? parsePortRange(rtp, '--rtp-ports') : { ...SERVER_DEFAULTS.rtpPorts },
    dataDir: values.data ?? env.HOTLINE_DATA ?? SERVER_DEFAULTS.dataDir,
    adminToken: env.HOTLINE_ADMIN_TOKEN || undefined,
    databaseUrl: env.HOTLINE_DATABASE_URL || undefined,
    advertiseAddress: values.advertise ?? env.HOTLINE_ADVERTISE ?? undefined,
  };
}

export const command: Command = {
  summary: 'run the server',
  async run(args) {
    let cfg: ServeConfig;
    try {
      cfg = serveConfig(args, process.env);
    } catch (err) {
      process.stderr.write(`hotline serve: ${err instanceof Error ? err.message : String(err)}\n`);
      return 2;
    }
    const server = await HotlineServer.start({
      ...cfg,
      limits: SERVER_DEFAULTS.limits,
      keepaliveMs: SERVER_DEFAULTS.keepaliveMs,
      prompts: defaultPrompts(cfg.dataDir),
    });
    if (server.generatedToken) {
      process.stdout.write(`operator token (generated, shown once; set HOTLINE_ADMIN_TOKEN to keep one): ${server.adminToken}\n`);
    }
    process.stdout.write(
      `hotline ready: sip ${cfg.sip.host}:${server.sipPort} (udp+tcp), rtp ${cfg.rtpPorts.min}-${cfg.rtpPorts.max}, admin api ${server.httpAddress}/api/v1, data ${cfg.dataDir}\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    process.stdout.write('hotline: shutting down\n');
    await server.stop();
    return 0;
  },
};
