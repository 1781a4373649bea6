// A UA's dialogs keyed by dialog ID: lookup of incoming messages, 481 for unknown dialogs, forks of one INVITE, idle sweep (RFC 3261 §12, §12.1.2, §12.2.2, §12.3, §13.2.2.4).
import type { SipMessage, SipRequest, SipResponse } from '../message/index.ts';
import { Dialog, type DialogOptions } from './dialog.ts';
import { DialogError } from './errors.ts';
import { type DialogId, dialogKey, incomingDialogId } from './id.ts';

/** Where an incoming request belongs (see {@link DialogTable.lookup}). */
export type DialogLookup =
  /** Inside a known dialog: give it to `dialog.receiveRequest`. */
  | { readonly kind: 'dialog'; readonly dialog: Dialog }
  /** No To tag: an out-of-dialog request (a new INVITE, OPTIONS, REGISTER…) for the UA core. */
  | { readonly kind: 'out-of-dialog' }
  /** A To tag that matches no dialog: answer 481 (RFC 3261 §12.2.2) — or drop it when it is an ACK. */
  | { readonly kind: 'unknown-dialog'; readonly status: 481 | undefined };

/** What a response to a dialog-creating request did (see {@link DialogTable.receiveCreatingResponse}). */
export interface CreatingResponseResult {
  /** The dialog the response belongs to (new or existing); undefined for a 100, a 1xx without To tag, or a 300–699. */
  readonly dialog: Dialog | undefined;
  /** True when the response created {@link dialog} (a new fork). */
  readonly created: boolean;
  /** Early dialogs of the request that the response terminated (a 300–699 ends all of them, §12.3). */
  readonly terminated: readonly Dialog[];
}

/** Options of {@link DialogTable}. */
export interface DialogTableOptions {
  /** Most dialogs held at once, terminated ones included until pruned. */
  maxDialogs?: number;
}

/** Defaults of {@link DialogTableOptions}. */
export const DIALOG_TABLE_DEFAULTS: Readonly<Required<DialogTableOptions>> = Object.freeze({ maxDialogs: 100_000 });

/** The Call-ID and local tag every fork of one request shares. */
function legKey(callId: string, localTag: string): string {
  return `${callId}\n${localTag}`;
}

/**
 * The dialogs of one UA (or one B2BUA side), keyed by their ID as seen locally. Messages given to
 * {@link find} and {@link lookup} are INCOMING ones: requests are keyed as UAS (local tag = To tag), responses
 * as UAC (local tag = From tag).
 *
 * Terminated dialogs stay until {@link delete} or {@link prune}: keep one briefly to answer late
 * retransmissions (e.g. resend the cached ACK for a 2xx), then prune.
 */
export class DialogTable implements Iterable<Dialog> {
  #byKey = new Map<string, Dialog>();
  #byLeg = new Map<string, Set<Dialog>>();
  #max: number;

  /**
   * @param opts.maxDialogs bound on the dialogs held (default {@link DIALOG_TABLE_DEFAULTS}); hostile peers
   *   must not grow it without limit.
   * @throws TypeError when `maxDialogs` is not a positive integer.
   */
  constructor(opts: DialogTableOptions = {}) {
    const max = opts.maxDialogs ?? DIALOG_TABLE_DEFAULTS.maxDialogs;
    if (!Number.isInteger(max) || max < 1) throw new TypeError('maxDialogs must be a positive integer');
    this.#max = max;
  }

  /** Number of dialogs held (terminated ones included until pruned). */
  get size(): number {
    return this.#byKey.size;
  }

  /**
   * Adds a dialog.
   * @throws DialogError code `duplicate` when a dialog with the same ID is held; `table-full` at `maxDialogs`
   *   (prune terminated dialogs, or answer the request 503).
   */
  add(dialog: Dialog): Dialog {
    if (this.#byKey.has(dialog.key)) throw new DialogError('duplicate', 'a dialog with this ID exists');
    if (this.#byKey.size >= this.#max) throw new DialogError('table-full', `the table holds ${this.#max} dialogs`);
    this.#byKey.set(dialog.key, dialog);
    const leg = legKey(dialog.callId, dialog.localTag);
    let set = this.#byLeg.get(leg);
    if (set === undefined) this.#byLeg.set(leg, (set = new Set()));
    set.add(dialog);
    return dialog;
  }

  /** The dialog with this ID (as seen locally). */
  get(id: DialogId): Dialog | undefined {
    return this.#byKey.get(dialogKey(id));
  }

  /** True when the dialog (the same object) is held. */
  has(dialog: Dialog): boolean {
    return this.#byKey.get(dialog.key) === dialog;
  }

  /**
   * The dialog an incoming message belongs to, or undefined.
   * @throws SipParseError when Call-ID, From or To is missing or malformed.
   */
  find(msg: SipMessage): Dialog | undefined {
    return this.#byKey.get(dialogKey(incomingDialogId(msg)));
  }

  /**
   * Where an incoming request goes (RFC 3261 §12.2.2): to its dialog; to the UA core when it has no To tag;
   * or, with a To tag matching no dialog, answered 481 (`status` undefined for ACK, which is never answered).
   * CANCEL should reach the transaction layer first (§9.2), which matches it to its INVITE.
   * @throws SipParseError when Call-ID, From or To is missing or malformed.
   */
  lookup(req: SipRequest): DialogLookup {
    const id = incomingDialogId(req);
    if (id.localTag === '') return OUT_OF_DIALOG;
    const dialog = this.#byKey.get(dialogKey(id));
    if (dialog !== undefined) return { kind: 'dialog', dialog };
    return req.method === 'ACK' ? UNKNOWN_ACK : UNKNOWN_481;
  }

  /**
   * Every dialog (early or confirmed) sharing the message's Call-ID and our tag: the forks of one
   * dialog-creating request. For an incoming response our tag is its From tag, for an incoming request its To tag.
   * @throws SipParseError when Call-ID, From or To is missing or malformed.
   */
  forks(msg: SipMessage): Dialog[] {
    const id = incomingDialogId(msg);
    return [...(this.#byLeg.get(legKey(id.callId, id.localTag)) ?? [])];
  }

  /**
   * The UAC side of a dialog-creating request, forking included (RFC 3261 §12.1.2, §12.3, §13.2.2.4): a
   * 101–299 with a new To tag creates and adds a dialog, one with a known To tag updates its dialog; a 2xx
   * without To tag (RFC 2543) makes a dialog with remote tag `''`; a 300–699 terminates every early dialog
   * of the request. A 100, or a 1xx without To tag, does nothing.
   * @throws DialogError code `not-dialog-creating` when the response does not answer the request.
   * @throws SipParseError when a needed header is missing or malformed.
   */
  receiveCreatingResponse(request: SipRequest, response: SipResponse, opts: DialogOptions = {}): CreatingResponseResult {
    const status = response.status;
    if (status >= 300) {
      const ended: Dialog[] = [];
      for (const d of this.forks(response)) {
        if (d.state !== 'early') continue;
        if (d.receiveResponse(response).state === 'terminated') ended.push(d);
      }
      return { dialog: undefined, created: false, terminated: ended };
    }
    if (status < 200 && (status === 100 || response.to().tag === undefined)) return { dialog: undefined, created: false, terminated: [] };
    const existing = this.find(response);
    if (existing !== undefined) {
      existing.receiveResponse(response);
      return { dialog: existing, created: false, terminated: [] };
    }
    const dialog = this.add(Dialog.fromUacResponse(request, response, opts));
    return { dialog, created: true, terminated: [] };
  }

  /**
   * Removes a dialog (the object, or whatever dialog holds that ID). Returns true when one was removed.
   */
  delete(dialog: Dialog | DialogId): boolean {
    const key = dialog instanceof Dialog ? dialog.key : dialogKey(dialog);
    const held = this.#byKey.get(key);
    if (held === undefined || (dialog instanceof Dialog && held !== dialog)) return false;
    this.#byKey.delete(key);
    const leg = legKey(held.callId, held.localTag);
    const set = this.#byLeg.get(leg);
    set?.delete(held);
    if (set?.size === 0) this.#byLeg.delete(leg);
    return true;
  }

  /** Removes every terminated dialog; returns how many. */
  prune(): number {
    let n = 0;
    for (const d of [...this.#byKey.values()]) if (d.state === 'terminated' && this.delete(d)) n++;
    return n;
  }

  /**
   * Dialogs not yet terminated whose last activity is at least `maxIdleMs` before `now` (same clock as the
   * dialogs'). Nothing is changed: the UA core decides — typically it sends BYE on a confirmed dialog (and
   * calls `terminate()` whatever the answer, or when it times out), or just terminates an early one, then
   * removes it. Pick `maxIdleMs` above the longest quiet period a live call has (session-timer refresh,
   * re-INVITE keepalive, media activity reported through `dialog.touch()`).
   */
  staleDialogs(now: number, maxIdleMs: number): Dialog[] {
    const out: Dialog[] = [];
    for (const d of this.#byKey.values()) if (d.state !== 'terminated' && now - d.lastActivity >= maxIdleMs) out.push(d);
    return out;
  }

  /** The dialogs in insertion order. */
  [Symbol.iterator](): Iterator<Dialog> {
    return this.#byKey.values();
  }
}

const OUT_OF_DIALOG: DialogLookup = Object.freeze({ kind: 'out-of-dialog' });
const UNKNOWN_481: DialogLookup = Object.freeze({ kind: 'unknown-dialog', status: 481 });
const UNKNOWN_ACK: DialogLookup = Object.freeze({ kind: 'unknown-dialog', status: undefined });
