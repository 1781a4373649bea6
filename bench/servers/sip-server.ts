// A SIP engine in its own process for signalling benchmarks: N users in one domain, INVITEs auto-answered.
// Prints "ready PORT" when listening; on SIGTERM prints one JSON line of stats (CPU time) and exits.
import { InMemoryCredentials } from '../../engine/sip/registrar/index.ts';
import { SipEngine } from '../../engine/sip/engine.ts';

const users = Number(process.env.BENCH_USERS ?? 1000);
const domain = process.env.BENCH_DOMAIN ?? 'bench.test';
const creds = new InMemoryCredentials().addDomain(domain);
for (let i = 0; i < users; i++) creds.addUser(domain, `u${i}`, `p${i}`);

const sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');
const engine = new SipEngine(
  { credentials: creds, onIncoming: (call) => call.answer(sdp) },
  {
    ua: { transport: { host: '127.0.0.1', port: Number(process.env.BENCH_PORT ?? 0), tcp: false } },
    keepalive: { enabled: false },
    registrar: { maxContactsPerAor: 10 },
  },
);
await engine.listen();
const cpu0 = process.cpuUsage();
process.stdout.write(`ready ${engine.port}\n`);
process.on('SIGTERM', () => {
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, registrar: engine.registrar.stats(), ua: engine.ua.stats })}\n`);
  void engine.close().then(() => process.exit(0));
});
