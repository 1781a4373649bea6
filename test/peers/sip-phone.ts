// A bare SIP phone for tests: our UserAgent with INVITE sessions on loopback, and an authenticated REGISTER.
import type { IncomingCall } from '../../engine/sip/ua/invite.ts';
import { InviteSessions } from '../../engine/sip/ua/invite.ts';
import { UserAgent } from '../../engine/sip/ua/user-agent.ts';
import { SipRequest, generateCallId, generateTag } from '../../engine/sip/message/index.ts';

/** Starts a phone on 127.0.0.1 (UDP); incoming calls go to `onIncoming` or get 486. Its close is pushed on `cleanups`. */
export async function startPhone(cleanups: Array<() => Promise<void> | void>, onIncoming?: (c: IncomingCall) => void): Promise<{ ua: UserAgent; sessions: InviteSessions }> {
  const ua = new UserAgent({ transport: { host: '127.0.0.1', port: 0, tcp: false } });
  const sessions = new InviteSessions(ua, { onIncoming: (c) => (onIncoming ? onIncoming(c) : c.reject(486)) });
  await ua.listen();
  cleanups.push(async () => {
    sessions.close();
    await ua.close();
  });
  return { ua, sessions };
}

/** REGISTERs `user@domain` to a server on 127.0.0.1:`sipPort`, answering the digest challenge; returns the final status. */
export async function registerAs(ua: UserAgent, sipPort: number, user: string, domain: string, password: string): Promise<number> {
  const req = new SipRequest({
    method: 'REGISTER',
    uri: `sip:${domain}`,
    headers: [
      ['Max-Forwards', '70'],
      ['From', `<sip:${user}@${domain}>;tag=${generateTag()}`],
      ['To', `<sip:${user}@${domain}>`],
      ['Call-ID', generateCallId()],
      ['CSeq', '1 REGISTER'],
      ['Contact', `<${ua.contactUri(user)}>`],
      ['Expires', '300'],
    ],
  });
  const res = await ua.request(req, { transport: 'udp', address: '127.0.0.1', port: sipPort }, { credentials: { username: user, password } });
  return res.status;
}
