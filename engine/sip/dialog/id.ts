// Dialog identifiers: Call-ID + local tag + remote tag, seen from either side of a transaction (RFC 3261 §12, §12.1.1, §12.1.2, §12.2.2).
import type { SipMessage, SipRequest } from '../message/index.ts';

/**
 * The ID of a dialog (RFC 3261 §12): Call-ID, local tag and remote tag. Each UA sees the same dialog with
 * local and remote swapped. A missing tag (an RFC 2543 peer) is the empty string.
 * Call-IDs and tags compare byte-by-byte (case-sensitive).
 */
export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

/**
 * The side of a transaction a message is seen from:
 * `'uac'` — a request we send or a response we receive (local tag = From tag, remote tag = To tag);
 * `'uas'` — a request we receive or a response we send (local tag = To tag, remote tag = From tag).
 */
export type MessageRole = 'uac' | 'uas';

/**
 * The dialog ID a message carries, from one side (RFC 3261 §12.1.1 UAS, §12.1.2 UAC). Absent tags give `''`.
 * @throws SipParseError when Call-ID, From or To is missing or malformed.
 */
export function dialogIdOf(msg: SipMessage, role: MessageRole): DialogId {
  const callId = msg.callId;
  const fromTag = msg.from().tag ?? '';
  const toTag = msg.to().tag ?? '';
  return role === 'uac' ? { callId, localTag: fromTag, remoteTag: toTag } : { callId, localTag: toTag, remoteTag: fromTag };
}

/**
 * The dialog ID a message we received carries: a request is seen as UAS, a response as UAC. This is what a
 * UA looks its dialogs up with.
 * @throws SipParseError when Call-ID, From or To is missing or malformed.
 */
export function incomingDialogId(msg: SipMessage): DialogId {
  return dialogIdOf(msg, msg.isRequest ? 'uas' : 'uac');
}

/** The same dialog seen from the peer: local and remote tags swapped. */
export function swapDialogId(id: DialogId): DialogId {
  return { callId: id.callId, localTag: id.remoteTag, remoteTag: id.localTag };
}

/** True when both IDs name the same dialog from the same side (byte-by-byte, RFC 3261 §12). */
export function dialogIdEquals(a: DialogId, b: DialogId): boolean {
  return a.callId === b.callId && a.localTag === b.localTag && a.remoteTag === b.remoteTag;
}

/** A string key for maps. Header values never contain LF, so it separates the parts unambiguously. */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag}\n${id.remoteTag}`;
}

/**
 * True when a request claims to be inside a dialog: its To header has a tag (RFC 3261 §12.2.2).
 * Such a request that matches no dialog is answered 481 (Call/Transaction Does Not Exist) — except ACK,
 * which is never answered (drop it), and CANCEL, which the transaction layer matches first (§9.2).
 * @throws SipParseError when To is missing or malformed.
 */
export function isInDialogRequest(req: SipRequest): boolean {
  return req.to().tag !== undefined;
}
