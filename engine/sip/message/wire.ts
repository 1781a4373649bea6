// Turning a text capture with LF line ends into wire form: CRLF, a terminated header section, true Content-Length (RFC 3261 §7, §7.5, §20.14; RFC 5118 Appendix A archive quirks).

/**
 * Wire form of a message saved with bare LF line ends (as RFC 5118's archive ships them): every bare LF
 * becomes CRLF, a missing empty line ending the headers is added, and Content-Length is set to the real
 * body length. Octets are otherwise untouched (processed as latin1, so non-UTF-8 bytes survive).
 */
export function lfToWire(bytes: Uint8Array): Buffer {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  text = text.replace(/\r?\n/g, '\r\n');
  let end = text.indexOf('\r\n\r\n');
  if (end < 0) {
    text = text.endsWith('\r\n') ? `${text}\r\n` : `${text}\r\n\r\n`;
    end = text.indexOf('\r\n\r\n');
  }
  const head = text.slice(0, end);
  const body = text.slice(end + 4);
  const fixed = head.replace(/^(Content-Length|l)([ \t]*:[ \t]*)\d+[ \t]*$/gim, (_m, name: string, sep: string) => `${name}${sep}${body.length}`);
  return Buffer.from(`${fixed}\r\n\r\n${body}`, 'latin1');
}
