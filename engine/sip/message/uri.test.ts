// Examples for SIP/SIPS/tel URIs: components, escaping, IPv6 references, comparison (RFC 3261 §19.1; RFC 3966; RFC 5118).
import { describe, expect, it } from 'vitest';
import { AbsoluteUri, parseNameAddr, parseUri, SipParseError, SipUri, TelUri, uriEquals } from './index.ts';

const sip = (s: string): SipUri => {
  const u = parseUri(s);
  if (!(u instanceof SipUri)) throw new Error(`${s} is not a SIP URI`);
  return u;
};

describe('SIP URI components (RFC 3261 §19.1.1)', () => {
  it('parses user, password, host, port, params and headers', () => {
    const u = sip('sips:alice:secretword@atlanta.com:5061;transport=TCP;lr?subject=project%20x&priority=urgent');
    expect(u.scheme).toBe('sips');
    expect([u.user, u.password, u.host, u.port]).toEqual(['alice', 'secretword', 'atlanta.com', 5061]);
    expect(u.transport).toBe('tcp');
    expect(u.lr).toBe(true);
    expect([...u.headers]).toEqual([
      ['subject', 'project x'],
      ['priority', 'urgent'],
    ]);
  });

  it('parses the RFC 3261 §19.1.3 examples', () => {
    for (const s of [
      'sip:alice@atlanta.com',
      'sip:alice:secretword@atlanta.com;transport=tcp',
      'sips:alice@atlanta.com?subject=project%20x&priority=urgent',
      'sip:+1-212-555-1212:1234@gateway.com;user=phone',
      'sips:1212@gateway.com',
      'sip:alice@192.0.2.4',
      'sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com',
      'sip:alice;day=tuesday@atlanta.com',
    ]) {
      expect(parseUri(s).toString(), s).toBe(s);
    }
    expect(sip('sip:alice;day=tuesday@atlanta.com').user).toBe('alice;day=tuesday');
    expect(sip('sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com').headers.get('to')).toBe('alice@atlanta.com');
  });

  it('unescapes once and re-escapes only what a component requires (RFC 3261 §19.1.2)', () => {
    const u = sip('sip:%61lice%20x@atlanta.com;n%61me=v%2541');
    expect(u.user).toBe('alice x');
    expect(u.params.get('name')).toBe('v%41');
    expect(u.toString()).toBe('sip:alice%20x@atlanta.com;name=v%2541');
    expect(new SipUri({ host: 'h', user: 'a@b:c' }).toString()).toBe('sip:a%40b%3Ac@h');
  });

  it('takes IPv6 references with and without port; keeps 5070 inside the brackets (RFC 5118 §4.3, §4.4)', () => {
    expect([sip('sip:[2001:db8::10]:5070').host, sip('sip:[2001:db8::10]:5070').port]).toEqual(['[2001:db8::10]', 5070]);
    expect(sip('sip:user@[2001:db8::10:5070]').port).toBe(undefined);
    expect(sip('sip:[::ffff:192.0.2.2]').host).toBe('[::ffff:192.0.2.2]');
    expect(sip('sip:[2001:db8:::192.0.2.1]').host).toBe('[2001:db8:::192.0.2.1]');
  });

  it('refuses malformed URIs with bad-uri (RFC 5118 §4.2, RFC 3261 §25.1)', () => {
    for (const s of ['sip:2001:db8::10', 'sip:user@', 'sip:user@host:99999', 'sip:user@host:', 'sip:[2001:db8::10', 'sip:a b@h', 'sip:u@h;=x', 'sip:u@h?x', '<sip:u@h>', 'sip:u@h%zz', '1sip:x', 'tel:', 'sip:u@-bad-.com']) {
      try {
        parseUri(s);
        expect.unreachable(s);
      } catch (e) {
        expect(e, s).toBeInstanceOf(SipParseError);
        expect((e as SipParseError).code).toBe('bad-uri');
      }
    }
  });
});

describe('tel and other schemes (RFC 3966 §3, RFC 3261 §19.1.6)', () => {
  it('parses tel URIs with parameters', () => {
    const t = parseUri('tel:+1-201-555-0123;ext=1234');
    expect(t).toBeInstanceOf(TelUri);
    expect((t as TelUri).digits).toBe('+12015550123');
    expect((t as TelUri).params.get('ext')).toBe('1234');
    expect(t.toString()).toBe('tel:+1-201-555-0123;ext=1234');
    expect(uriEquals(t, parseUri('tel:+1.201.555.0123;EXT=1234'))).toBe(true);
    expect(uriEquals(t, parseUri('tel:+1-201-555-0123'))).toBe(false);
  });

  it('keeps other absolute URIs opaque', () => {
    const u = parseUri('soap.beep://192.0.2.103:3002');
    expect(u).toBeInstanceOf(AbsoluteUri);
    expect(u.scheme).toBe('soap.beep');
    expect(u.toString()).toBe('soap.beep://192.0.2.103:3002');
  });
});

describe('URI comparison (RFC 3261 §19.1.4)', () => {
  const equal: [string, string][] = [
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'],
    ['sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'],
    ['sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com'],
    ['sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x'],
  ];
  const different: [string, string][] = [
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'],
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'],
    ['sip:alice@atlanta.com', 'sips:alice@atlanta.com'],
    ['sip:alice@atlanta.com;maddr=239.255.255.1', 'sip:alice@atlanta.com'],
  ];
  for (const [a, b] of equal) {
    it(`${a} equals ${b}`, () => {
      expect(uriEquals(parseUri(a), parseUri(b))).toBe(true);
      expect(uriEquals(parseUri(b), parseUri(a))).toBe(true);
    });
  }
  for (const [a, b] of different) {
    it(`${a} differs from ${b}`, () => {
      expect(uriEquals(parseUri(a), parseUri(b))).toBe(false);
      expect(uriEquals(parseUri(b), parseUri(a))).toBe(false);
    });
  }
});

describe('name-addr and addr-spec (RFC 3261 §20.10, §25.1)', () => {
  it('reads quoted and token display names, with or without space before "<"', () => {
    expect(parseNameAddr('"A \\"B\\" C" <sip:a@b>;tag=1', 'From').displayName).toBe('A "B" C');
    expect(parseNameAddr('Alice  Smith <sip:a@b>', 'From').displayName).toBe('Alice Smith');
    expect(parseNameAddr('caller<sip:caller@example.com>;tag=323', 'From').displayName).toBe('caller');
    expect(parseNameAddr('<sip:a@b>', 'To').displayName).toBe(undefined);
  });

  it('puts params after an addr-spec on the header, inside <> on the URI (RFC 3261 §20.10)', () => {
    const a = parseNameAddr('sip:a@b;tag=x', 'To');
    expect(a.tag).toBe('x');
    expect((a.uri as SipUri).params.size).toBe(0);
    const b = parseNameAddr('<sip:a@b;tag=x>', 'To');
    expect(b.tag).toBe(undefined);
    expect((b.uri as SipUri).params.get('tag')).toBe('x');
  });

  it('serializes canonically and round-trips', () => {
    const n = parseNameAddr('Bob   <sip:bob@biloxi.com>  ;  tag = a6c85cf', 'To');
    expect(n.toString()).toBe('"Bob" <sip:bob@biloxi.com>;tag=a6c85cf');
    expect(parseNameAddr(n.toString(), 'To').toString()).toBe(n.toString());
  });
});
