// Typed errors of the SIP dialog layer (RFC 3261 §12, §14.1, §15).

/** Why the dialog layer refused an operation. */
export type DialogErrorCode =
  /** The message cannot create a dialog: a 100, a 1xx without To tag, a non-2xx final, or a response that does not answer the request (RFC 3261 §12.1). */
  | 'not-dialog-creating'
  /** The message carries another dialog's ID (Call-ID, local tag, remote tag) (RFC 3261 §12). */
  | 'wrong-dialog'
  /** The dialog is terminated: no new request can be sent in it. */
  | 'terminated'
  /** An INVITE transaction is already in progress in this dialog, in either direction (RFC 3261 §14.1). */
  | 'invite-pending'
  /** The callee may not send BYE on an early dialog (RFC 3261 §15). */
  | 'early-bye'
  /** A dialog-creating request without a Contact, which a UAS cannot target (RFC 3261 §8.1.1.8, §12.1.1). */
  | 'missing-contact'
  /** The local CSeq would pass 2³²−1 (RFC 3261 §8.1.1.5). */
  | 'cseq-exhausted'
  /** A dialog with the same ID is already in the table. */
  | 'duplicate'
  /** The table holds its maximum number of dialogs (answer the new request 503). */
  | 'table-full';

/** The one error the dialog layer throws for a refused operation. Assert on `code`, not on the text. */
export class DialogError extends Error {
  override readonly name = 'DialogError';
  /** Machine-readable reason. */
  readonly code: DialogErrorCode;

  constructor(code: DialogErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
