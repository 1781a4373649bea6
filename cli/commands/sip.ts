// `hotline sip lint FILE…`: parse raw SIP messages and print a summary, or the error and the response a server would send (DESIGN.md §3).
import { readFile } from 'node:fs/promises';
import {
  lfToWire,
  parseMessage,
  SipParseError,
  SipRequest,
  summarize,
  validateRequest,
  validateResponse,
  type ValidationRole,
} from '../../engine/sip/message/index.ts';
import { parseFlags } from '../args.ts';
import type { Command } from '../main.ts';

/** Options of {@link lintMessage}. */
export interface LintOptions {
  /** Judge requests as a UAS (default) or as a proxy. */
  role?: ValidationRole;
  /** Convert bare-LF text to wire form first (CRLF, terminated headers, true Content-Length). */
  lf?: boolean;
  /** Frame as on a stream transport (Content-Length required). */
  stream?: boolean;
}

/** The verdict on one raw message: `ok` false when a server would refuse or drop it. */
export interface LintResult {
  ok: boolean;
  /** One line: summary, `rejected STATUS REASON`, or `dropped REASON`. */
  line: string;
}

function hasOnlyBareLf(b: Uint8Array): boolean {
  const s = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  return s.includes('\n') && !s.includes('\r\n');
}

/** Lints one message's bytes. Never throws for bad input. */
export function lintMessage(bytes: Uint8Array, opts: LintOptions = {}): LintResult {
  const wire = opts.lf ? lfToWire(bytes) : bytes;
  let msg;
  try {
    msg = parseMessage(wire, { stream: opts.stream });
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    const hint = !opts.lf && hasOnlyBareLf(bytes) ? ' (file has bare LF line ends; try --lf)' : '';
    if (e.status === undefined) return { ok: false, line: `dropped ${e.message} [${e.code}]${hint}` };
    return { ok: false, line: `rejected ${e.status} ${e.message} [${e.code}]${hint}` };
  }
  if (msg instanceof SipRequest) {
    const r = validateRequest(msg, { role: opts.role ?? 'uas' });
    if (r) {
      const extra = r.headers?.map(([n, v]) => `; ${n}: ${v}`).join('') ?? '';
      const drop = r.drop ? ' (ACK: dropped, never answered)' : '';
      return { ok: false, line: `rejected ${r.status} ${r.reason}${extra} [${r.rule}: ${r.rfc}]${drop}` };
    }
    return { ok: true, line: summarize(msg) };
  }
  const why = validateResponse(msg);
  if (why) return { ok: false, line: `dropped ${why} (${summarize(msg)})` };
  return { ok: true, line: summarize(msg) };
}

const USAGE = [
  'usage: hotline sip lint [--role uas|proxy] [--lf] [--stream] FILE…',
  '',
  '  Parses each file as one raw SIP message (one UDP datagram) and prints a summary',
  '  (method or status, Call-ID, CSeq), or the error and the response a server would send.',
  '  Exits 1 if any file is rejected or dropped, 2 on usage errors.',
  '',
  '  --role ROLE   judge requests as a uas (default) or a proxy',
  '  --lf          convert bare-LF text to wire form first (RFC 5118 archive style)',
  '  --stream      frame as on TCP/TLS (Content-Length required)',
].join('\n');

export const command: Command = {
  summary: 'SIP tools: lint raw messages',
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'lint') {
      process.stderr.write(`${USAGE}\n`);
      return sub === undefined || sub === '--help' || sub === '-h' ? 0 : 2;
    }
    let parsed;
    try {
      parsed = parseFlags(rest, { role: { type: 'string' }, lf: { type: 'boolean' }, stream: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    } catch (e) {
      process.stderr.write(`hotline sip lint: ${(e as Error).message}\n${USAGE}\n`);
      return 2;
    }
    const { values, positionals } = parsed;
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const role = values.role ?? 'uas';
    if (role !== 'uas' && role !== 'proxy') {
      process.stderr.write(`hotline sip lint: --role must be uas or proxy\n`);
      return 2;
    }
    if (positionals.length === 0) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    let failed = false;
    for (const file of positionals) {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (e) {
        process.stdout.write(`${file}: unreadable: ${(e as Error).message}\n`);
        failed = true;
        continue;
      }
      const r = lintMessage(bytes, { role, lf: values.lf === true, stream: values.stream === true });
      process.stdout.write(`${file}: ${r.line}\n`);
      if (!r.ok) failed = true;
    }
    return failed ? 1 : 0;
  },
};
