// Examples for the dialog table: lookup of incoming messages, 481 for unknown dialogs, forking, idle sweep (RFC 3261 §12, §12.2.2, §12.3, §13.2.2.4).
import { describe, expect, it } from 'vitest';
import { createResponse, generateBranch, parseMessage, type SipRequest } from '../message/index.ts';
import { FakeScheduler } from '../../util/scheduler.ts';
import { Dialog } from './dialog.ts';
import { DialogError } from './errors.ts';
import { isInDialogRequest } from './id.ts';
import { DialogTable } from './table.ts';
import { aliceInvite, bobAnswer } from './test-fixtures.ts';

function wire(r: SipRequest): SipRequest {
  r.prepend('Via', `SIP/2.0/UDP 192.0.2.200;branch=${generateBranch()}`);
  return parseMessage(r.serialize()) as SipRequest;
}

function pair(clock = new FakeScheduler()) {
  const inv = aliceInvite();
  const ok = bobAnswer(inv, 200);
  const alice = Dialog.fromUacResponse(inv, ok, { clock });
  const bob = Dialog.fromUasRequest(inv, ok, { clock });
  return { inv, ok, alice, bob, clock };
}

describe('DialogTable lookup (RFC 3261 §12.2.2)', () => {
  it('finds the dialog of an incoming request (UAS view) and of an incoming response (UAC view)', () => {
    const { alice, bob } = pair();
    const bobs = new DialogTable();
    const alices = new DialogTable();
    bobs.add(bob);
    alices.add(alice);
    const bye = wire(alice.createRequest('INFO'));
    expect(bobs.find(bye)).toBe(bob);
    expect(bobs.lookup(bye)).toEqual({ kind: 'dialog', dialog: bob });
    expect(alices.find(createResponse(bye, 200))).toBe(alice);
    expect(alices.find(bye)).toBeUndefined(); // an incoming request keyed as UAS does not match Alice's UAC view
  });

  it('a request with a To tag that matches no dialog is answered 481; an ACK is dropped; no tag is out of dialog', () => {
    const { alice } = pair();
    const table = new DialogTable();
    const bye = wire(alice.createRequest('BYE'));
    expect(isInDialogRequest(bye)).toBe(true);
    expect(table.lookup(bye)).toEqual({ kind: 'unknown-dialog', status: 481 });
    const ack = bye.clone();
    ack.method = 'ACK';
    ack.set('CSeq', '314159 ACK');
    expect(table.lookup(ack)).toEqual({ kind: 'unknown-dialog', status: undefined });
    const fresh = aliceInvite();
    expect(isInDialogRequest(fresh)).toBe(false);
    expect(table.lookup(fresh)).toEqual({ kind: 'out-of-dialog' });
  });

  it('refuses a duplicate ID; delete and prune remove dialogs', () => {
    const { alice } = pair();
    const table = new DialogTable();
    table.add(alice);
    try {
      table.add(alice);
      throw new Error('expected DialogError');
    } catch (e) {
      expect(e).toBeInstanceOf(DialogError);
      expect((e as DialogError).code).toBe('duplicate');
    }
    expect(table.prune()).toBe(0);
    alice.terminate();
    expect(table.prune()).toBe(1);
    expect(table.size).toBe(0);
    expect(table.delete(alice)).toBe(false);
    table.add(alice);
    expect(table.delete(alice.id)).toBe(true);
    expect(table.has(alice)).toBe(false);
  });
});

describe('DialogTable bounds', () => {
  it('refuses a dialog past maxDialogs until terminated ones are pruned', () => {
    const table = new DialogTable({ maxDialogs: 1 });
    const first = pair().alice;
    table.add(first);
    const inv = aliceInvite({ callId: 'other@x' });
    const second = Dialog.fromUacResponse(inv, bobAnswer(inv, 200));
    try {
      table.add(second);
      throw new Error('expected DialogError');
    } catch (e) {
      expect((e as DialogError).code).toBe('table-full');
    }
    first.terminate();
    table.prune();
    expect(table.add(second)).toBe(second);
    expect(() => new DialogTable({ maxDialogs: 0 })).toThrow(TypeError);
  });
});

describe('forking at the UAC (RFC 3261 §12.1.2, §12.3, §13.2.2.4)', () => {
  it('each To tag makes its own early dialog; a known tag updates its dialog', () => {
    const inv = aliceInvite();
    const table = new DialogTable();
    const a = table.receiveCreatingResponse(inv, bobAnswer(inv, 180, 'forkA', '<sip:bob@192.0.2.10>'));
    const b = table.receiveCreatingResponse(inv, bobAnswer(inv, 183, 'forkB', '<sip:bob@192.0.2.11>'));
    expect(a.created && b.created).toBe(true);
    expect(a.dialog).not.toBe(b.dialog);
    expect(table.size).toBe(2);
    expect(table.forks(bobAnswer(inv, 180, 'any'))).toHaveLength(2);
    const again = table.receiveCreatingResponse(inv, bobAnswer(inv, 200, 'forkA', '<sip:bob@192.0.2.10>'));
    expect(again).toEqual({ dialog: a.dialog, created: false, terminated: [] });
    expect(a.dialog?.state).toBe('confirmed');
    expect(b.dialog?.state).toBe('early');
  });

  it('a 100 or a 1xx without To tag makes nothing', () => {
    const inv = aliceInvite();
    const table = new DialogTable();
    expect(table.receiveCreatingResponse(inv, createResponse(inv, 100)).dialog).toBeUndefined();
    const noTag = createResponse(inv, 180);
    noTag.set('To', 'Bob <sip:bob@biloxi.example.com>');
    expect(table.receiveCreatingResponse(inv, noTag).dialog).toBeUndefined();
    expect(table.size).toBe(0);
  });

  it('a non-2xx final terminates every early fork and leaves a confirmed one alone', () => {
    const inv = aliceInvite();
    const table = new DialogTable();
    const a = table.receiveCreatingResponse(inv, bobAnswer(inv, 180, 'forkA')).dialog;
    const b = table.receiveCreatingResponse(inv, bobAnswer(inv, 180, 'forkB')).dialog;
    const c = table.receiveCreatingResponse(inv, bobAnswer(inv, 200, 'forkC')).dialog;
    const result = table.receiveCreatingResponse(inv, createResponse(inv, 480, undefined, { toTag: 'forkZ' }));
    expect(result.terminated).toEqual([a, b]);
    expect(a?.state).toBe('terminated');
    expect(b?.state).toBe('terminated');
    expect(c?.state).toBe('confirmed');
  });
});

describe('idle dialogs', () => {
  it('staleDialogs lists live dialogs idle for at least maxIdleMs on the injected clock', () => {
    const clock = new FakeScheduler(0);
    const table = new DialogTable();
    const one = pair(clock);
    table.add(one.alice);
    clock.advance(10_000);
    const two = pair(clock);
    table.add(two.bob);
    clock.advance(20_000);
    expect(table.staleDialogs(clock.now(), 30_000)).toEqual([one.alice]);
    expect(table.staleDialogs(clock.now(), 20_000)).toEqual([one.alice, two.bob]);
    one.alice.touch();
    expect(table.staleDialogs(clock.now(), 20_000)).toEqual([two.bob]);
    two.bob.terminate();
    expect(table.staleDialogs(clock.now() + 1e9, 1)).toEqual([one.alice]);
    expect(clock.pending).toBe(0);
  });
});
