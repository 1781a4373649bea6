// The in-process server of `hotline sim run` scenarios with `server.inProcess: true`: a real HotlineServer in a temporary
// data directory, provisioned through its admin API with the scenario's domain, numbers, agents and gateway account.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { StartServer } from '../../simulator/index.ts';
import { defaultPrompts } from './prompts.ts';
import { HotlineServer, SERVER_DEFAULTS } from './server.ts';

export const startServer: StartServer = async (req) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-sim-'));
  const server = await HotlineServer.start({
    sip: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    rtpPorts: { min: 21000, max: 21999 },
    dataDir,
    limits: SERVER_DEFAULTS.limits,
    prompts: defaultPrompts(dataDir),
    keepaliveMs: 60_000,
    logger: pino({ level: process.env.HOTLINE_LOG_LEVEL ?? 'warn' }),
  });
  try {
    const api = async (method: string, url: string, body: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${server.httpAddress}/api/v1${url}`, {
        method,
        headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status >= 400) throw new Error(`provisioning ${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const tenant = await api('POST', '/tenants', { name: req.domain, domain: req.domain });
    const tid = tenant.id as string;
    for (const n of req.numbers) await api('POST', `/tenants/${tid}/numbers`, { number: n });
    for (const a of req.agents) await api('POST', `/tenants/${tid}/agents`, { extension: a.extension, name: `Agent ${a.extension}`, password: a.password });
    const tel = await api('PUT', `/tenants/${tid}/telephony`, { enabled: true });
    const gw = tel.gateway as { username: string; password: string };
    return {
      sip: { host: '127.0.0.1', port: server.sipPort },
      domain: req.domain,
      gateway: gw,
      numbers: req.numbers,
      info: { admin: `${server.httpAddress}/api/v1`, data: dataDir },
      close: async () => {
        await server.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
};
