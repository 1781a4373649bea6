// Examples for stream framing by Content-Length and CRLF keep-alives (RFC 3261 §18.3, §7.5; RFC 5626 §3.5.1).
import { describe, expect, it } from 'vitest';
import { SipParseError, SipRequest, StreamFramer, type StreamEvent } from './index.ts';

const msg = (callId: string, body = ''): Buffer =>
  Buffer.from(
    `OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK${callId}\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );

const ids = (events: StreamEvent[]): string[] => events.map((e) => (e.kind === 'message' ? e.message.callId : e.kind));

function fatal(f: StreamFramer, chunk: Buffer): SipParseError {
  try {
    f.push(chunk);
  } catch (e) {
    if (e instanceof SipParseError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('StreamFramer (RFC 3261 §18.3)', () => {
  it('frames back-to-back messages in one chunk', () => {
    const f = new StreamFramer();
    expect(ids(f.push(Buffer.concat([msg('a', 'xyz'), msg('b')])))).toEqual(['a', 'b']);
    expect(f.buffered).toBe(0);
  });

  it('frames a message fed one byte at a time, body included', () => {
    const f = new StreamFramer();
    const bytes = Buffer.concat([msg('a', 'hello\r\n\r\nworld'), msg('b')]);
    const out: StreamEvent[] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...f.push(bytes.subarray(i, i + 1)));
    expect(ids(out)).toEqual(['a', 'b']);
    const first = out[0];
    expect(first.kind === 'message' && first.message.body.toString()).toBe('hello\r\n\r\nworld');
  });

  it('copies bodies so the caller may reuse its chunk buffer', () => {
    const f = new StreamFramer();
    const chunk = Buffer.from(msg('a', 'body'));
    const [ev] = f.push(chunk);
    chunk.fill(0);
    expect(ev.kind === 'message' && ev.message.body.toString()).toBe('body');
  });

  it('reports CRLFCRLF pings and CRLF pongs between messages (RFC 5626 §3.5.1)', () => {
    const f = new StreamFramer();
    expect(ids(f.push(Buffer.from('\r\n\r\n')))).toEqual(['ping']);
    expect(ids(f.push(Buffer.concat([Buffer.from('\r\n'), msg('a')])))).toEqual(['pong', 'a']);
    // A ping split over two chunks: first half looks like a pong, second half completes the ping.
    expect(ids(f.push(Buffer.from('\r\n')))).toEqual(['pong']);
    expect(ids(f.push(Buffer.from('\r\n')))).toEqual(['ping']);
  });

  it('fails for good when Content-Length is missing (RFC 3261 §18.3)', () => {
    const f = new StreamFramer();
    const e = fatal(f, Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n'));
    expect([e.code, e.status]).toEqual(['missing-content-length', 400]);
    expect(e.partial).toBeInstanceOf(SipRequest);
    expect(() => f.push(msg('a'))).toThrow(e);
    expect(f.failed).toBe(e);
  });

  it('fails with 513 when a message or an unterminated header section exceeds maxSize', () => {
    expect(fatal(new StreamFramer({ maxSize: 100 }), msg('a', 'x'.repeat(200))).status).toBe(513);
    const f = new StreamFramer({ maxSize: 64 });
    expect(f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n'))).toEqual([]);
    expect(fatal(f, Buffer.from(`X: ${'y'.repeat(100)}`)).code).toBe('too-large');
  });

  it('fails on a negative Content-Length instead of wrapping it (RFC 4475 §3.1.2.3)', () => {
    const e = fatal(new StreamFramer(), Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -999\r\n\r\n'));
    expect(e.code).toBe('bad-content-length');
  });
});
