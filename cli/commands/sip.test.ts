// `hotline sip lint` on RFC 4475/5118 fixtures: summaries, rejections with the response code, exit status (DESIGN.md §3).
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { command, lintMessage } from './sip.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/sip-torture/${name}`, import.meta.url));

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await command.run(args), out };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('hotline sip lint', () => {
  it('prints a one-line summary per valid file and exits 0 (RFC 4475 §3.1.1.1, §3.1.1.6)', async () => {
    const { code, out } = await run(['lint', fixture('wsinv.dat'), fixture('lwsdisp.dat')]);
    expect(code).toBe(0);
    expect(out.split('\n').filter(Boolean)).toEqual([
      `${fixture('wsinv.dat')}: INVITE sip:vivekg@chair-dnrc.example.com;unknownparam Call-ID wsinv.ndaksdj@192.0.2.1 CSeq 9 INVITE`,
      `${fixture('lwsdisp.dat')}: OPTIONS sip:user@example.com Call-ID lwsdisp.1234abcd@funky.example.com CSeq 60 OPTIONS`,
    ]);
  });

  it('prints the response a server would send and exits 1 when any file is rejected (RFC 4475 §3.3.1, §3.1.2.16, §3.3.2)', async () => {
    const { code, out } = await run(['lint', fixture('wsinv.dat'), fixture('insuf.dat'), fixture('badvers.dat'), fixture('unkscm.dat')]);
    expect(code).toBe(1);
    const lines = out.split('\n').filter(Boolean);
    expect(lines[1]).toMatch(/insuf\.dat: rejected 400 Missing header: To\b/);
    expect(lines[2]).toMatch(/badvers\.dat: rejected 505 /);
    expect(lines[3]).toMatch(/unkscm\.dat: rejected 416 /);
  });

  it('reports framing errors with their status, and drops bad responses (RFC 4475 §3.1.2.2, §3.1.2.19)', async () => {
    const { code, out } = await run(['lint', fixture('clerr.dat'), fixture('bigcode.dat')]);
    expect(code).toBe(1);
    expect(out).toMatch(/clerr\.dat: rejected 400 .*\[truncated\]/);
    expect(out).toMatch(/bigcode\.dat: dropped .*\[bad-status\]/);
  });

  it('converts RFC 5118 LF-only files with --lf, and hints at it otherwise (RFC 5118 §4.1)', async () => {
    const plain = await run(['lint', fixture('ipv6-good.dat')]);
    expect(plain.code).toBe(1);
    expect(plain.out).toContain('try --lf');
    const lf = await run(['lint', '--lf', fixture('ipv6-good.dat')]);
    expect(lf.code).toBe(0);
    expect(lf.out).toContain(': REGISTER sip:[2001:db8::10] Call-ID ');
  });

  it('judges as a proxy with --role proxy (RFC 3261 §16.3 item 2)', async () => {
    expect((await run(['lint', fixture('zeromf.dat')])).code).toBe(0);
    const proxy = await run(['lint', '--role', 'proxy', fixture('zeromf.dat')]);
    expect(proxy.code).toBe(1);
    expect(proxy.out).toContain('rejected 483 Too Many Hops');
  });

  it('exits 2 on usage errors and reports unreadable files', async () => {
    expect((await run(['lint'])).code).toBe(2);
    expect((await run(['lint', '--role', 'x', fixture('wsinv.dat')])).code).toBe(2);
    expect((await run(['nope'])).code).toBe(2);
    const missing = await run(['lint', fixture('does-not-exist.dat')]);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('unreadable');
  });

  it('lintMessage never throws on garbage', () => {
    expect(lintMessage(Buffer.from([0, 255, 13, 10])).ok).toBe(false);
  });
});
