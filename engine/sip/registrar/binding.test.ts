// Canonical AOR (RFC 3261 §10.3 step 5), private-address detection and the NAT rule (RFC 1918, RFC 6598, RFC 4193, RFC 3581), in-memory stores and credentials.
import { describe, expect, it } from 'vitest';
import { computeHa1 } from '../auth/index.ts';
import { parseSipUri } from '../message/index.ts';
import { canonicalAor, contactEndpoint, contactIsNatted, isPrivateAddress, toAor } from './binding.ts';
import { InMemoryCredentials } from './credentials.ts';

describe('canonicalAor (RFC 3261 §10.3 step 5)', () => {
  it('drops URI parameters, headers and port, lower-cases the host, unescapes the user, maps sips to sip', () => {
    expect(canonicalAor(parseSipUri('sip:alice@A.Example.COM:5060;transport=tcp;user=phone?subject=x'))).toBe('sip:alice@a.example.com');
    expect(canonicalAor(parseSipUri('sips:alice@a.example.com'))).toBe('sip:alice@a.example.com');
    expect(canonicalAor(parseSipUri('sip:%61lice@a.example.com'))).toBe('sip:alice@a.example.com');
    expect(canonicalAor(parseSipUri('sip:+1%20555@a.example.com'))).toBe(canonicalAor(parseSipUri('sip:+1%20555@A.EXAMPLE.COM')));
  });

  it('keeps the user part case-sensitive (RFC 3261 §19.1.4)', () => {
    expect(canonicalAor(parseSipUri('sip:Alice@a.example'))).not.toBe(canonicalAor(parseSipUri('sip:alice@a.example')));
  });

  it('toAor accepts text or URIs and refuses non-SIP URIs and URIs without user', () => {
    expect(toAor('sip:bob@B.example;x=1')).toBe('sip:bob@b.example');
    expect(toAor(parseSipUri('sips:bob@b.example'))).toBe('sip:bob@b.example');
    expect(toAor('sip:b.example')).toBeUndefined();
    expect(toAor('tel:+15551234')).toBeUndefined();
    expect(toAor('garbage')).toBeUndefined();
  });
});

describe('NAT helpers (RFC 1918, RFC 6598, RFC 4193, RFC 3581)', () => {
  it('recognizes private, shared, link-local, loopback and unique-local addresses', () => {
    for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.10', '100.64.0.1', '100.127.255.254', '169.254.1.1', '127.0.0.1', '::1', 'fd00::1', 'fe80::1', '[fd12:3456::1]', '::ffff:192.168.1.1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['172.15.0.1', '172.32.0.1', '100.63.0.1', '100.128.0.1', '8.8.8.8', '2001:db8::1', 'gw.example.com', '192.169.0.1']) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it('calls a Contact NATed when its IP differs from the source, or its UDP port does', () => {
    const udp = { transport: 'udp' as const, address: '203.0.113.5', port: 5060 };
    expect(contactIsNatted(parseSipUri('sip:a@192.168.1.2:5060'), udp)).toBe(true);
    expect(contactIsNatted(parseSipUri('sip:a@203.0.113.5'), udp)).toBe(false);
    expect(contactIsNatted(parseSipUri('sip:a@203.0.113.5:5070'), udp)).toBe(true);
    expect(contactIsNatted(parseSipUri('sip:a@gw.example.com'), udp)).toBe(false);
    const tcp = { transport: 'tcp' as const, address: '203.0.113.5', port: 53211 };
    expect(contactIsNatted(parseSipUri('sip:a@203.0.113.5;transport=tcp'), tcp)).toBe(false);
    expect(contactIsNatted(parseSipUri('sip:a@[2001:db8::5]'), { transport: 'udp', address: '2001:db8::5', port: 5060 })).toBe(false);
  });

  it('gives a Contact endpoint only for public IP literals over UDP or TCP', () => {
    expect(contactEndpoint(parseSipUri('sip:a@198.51.100.1:5070;transport=TCP'))).toEqual({ transport: 'tcp', address: '198.51.100.1', port: 5070 });
    expect(contactEndpoint(parseSipUri('sip:a@[2001:db8::1]'))).toEqual({ transport: 'udp', address: '2001:db8::1', port: 5060 });
    expect(contactEndpoint(parseSipUri('sip:a@10.0.0.1'))).toBeUndefined();
    expect(contactEndpoint(parseSipUri('sip:a@gw.example.com'))).toBeUndefined();
    expect(contactEndpoint(parseSipUri('sips:a@198.51.100.1'))).toBeUndefined();
  });
});

describe('InMemoryCredentials', () => {
  it('stores HA1s (never passwords), maps alias domains to realms, and lets users register only their own AOR in their realm', () => {
    const c = new InMemoryCredentials().addDomain('a.example').addDomain('Alias.A.example', 'a.example').addDomain('b.example');
    c.addUser('a.example', 'gw', 'secret', { mayAlsoRegister: ['trunk'] });
    expect(c.realmFor('ALIAS.a.example')).toBe('a.example');
    expect(c.realmFor('c.example')).toBeUndefined();
    expect(c.ha1('gw', 'a.example', 'MD5')).toBe(computeHa1('MD5', 'gw', 'a.example', 'secret'));
    expect(c.ha1('gw', 'a.example', 'SHA-256')).toBe(computeHa1('SHA-256', 'gw', 'a.example', 'secret'));
    expect(c.ha1('gw', 'b.example', 'MD5')).toBeUndefined();
    expect(c.mayRegister('gw', 'a.example', { user: 'gw', host: 'alias.a.example' })).toBe(true);
    expect(c.mayRegister('gw', 'a.example', { user: 'trunk', host: 'a.example' })).toBe(true);
    expect(c.mayRegister('gw', 'a.example', { user: 'alice', host: 'a.example' })).toBe(false);
    expect(c.mayRegister('gw', 'a.example', { user: 'gw', host: 'b.example' })).toBe(false);
    expect(JSON.stringify([...Object.values(c)])).not.toContain('secret');
  });
});
