// The dialog state machine as a table: early → confirmed → terminated (RFC 3261 §12, §12.1, §12.2.1.2, §12.3, §13.2.2.4, §15).

/** A dialog's state (RFC 3261 §12): created early by a 1xx with a To tag, confirmed by a 2xx, then terminated. */
export type DialogState = 'early' | 'confirmed' | 'terminated';

/**
 * What can happen to a dialog. "Creating request" is the request whose response made the dialog (the
 * initial INVITE); responses to it count whether we sent or received them.
 */
export type DialogInput =
  /** A 101–199 response with this dialog's To tag to the creating request. */
  | 'provisional'
  /** A 2xx response to the creating request. */
  | 'success'
  /** A 300–699 response (or a timeout) for the creating request. */
  | 'failure'
  /** A BYE sent or received in the dialog. */
  | 'bye'
  /** A 481 or 408 response, or no response at all, to a request sent inside the dialog. */
  | 'dialog-gone'
  /** The UA core ends the dialog itself (idle peer, shutdown). */
  | 'close';

/** Every input, for exhaustive tests. */
export const DIALOG_INPUTS: readonly DialogInput[] = Object.freeze(['provisional', 'success', 'failure', 'bye', 'dialog-gone', 'close']);

/** Every state, for exhaustive tests. */
export const DIALOG_STATES: readonly DialogState[] = Object.freeze(['early', 'confirmed', 'terminated']);

type Row = Readonly<Record<DialogInput, DialogState>>;

/**
 * `(state, input) → next state`. The dialog layer has no actions of its own: what to send (ACK, BYE,
 * 487) is the UA core's business; this table only says which state the dialog is in.
 */
export const DIALOG_TRANSITIONS: Readonly<Record<DialogState, Row>> = Object.freeze({
  early: Object.freeze({
    // §12.1: further provisional responses keep the dialog early.
    provisional: 'early',
    // §13.2.2.4 (UAC) / §13.3.1.4 (UAS): a 2xx confirms the early dialog (route set recomputed at the UAC).
    success: 'confirmed',
    // §12.3: a non-2xx final response to the creating request terminates every early dialog it made.
    failure: 'terminated',
    // §15: the caller may BYE an early dialog; §15.1.2: the callee terminates it on receipt.
    bye: 'terminated',
    // §12.2.1.2: 481, 408 or a timeout for a request inside the dialog.
    'dialog-gone': 'terminated',
    close: 'terminated',
  }),
  confirmed: Object.freeze({
    // A late or retransmitted response to the creating request changes nothing (RFC 6026 §7.2).
    provisional: 'confirmed',
    success: 'confirmed',
    failure: 'confirmed',
    // §15.1.1 / §15.1.2: BYE sent or received ends the session and the dialog.
    bye: 'terminated',
    // §12.2.1.2
    'dialog-gone': 'terminated',
    close: 'terminated',
  }),
  // Terminated is final: nothing brings a dialog back.
  terminated: Object.freeze({
    provisional: 'terminated',
    success: 'terminated',
    failure: 'terminated',
    bye: 'terminated',
    'dialog-gone': 'terminated',
    close: 'terminated',
  }),
});

/** The state after `input` in `state` (see {@link DIALOG_TRANSITIONS}). */
export function nextDialogState(state: DialogState, input: DialogInput): DialogState {
  return DIALOG_TRANSITIONS[state][input];
}
