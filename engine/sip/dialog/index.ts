// The SIP dialog layer's public surface: dialogs, their table, message builders around them, 2xx retransmission (RFC 3261 §9.1, §12–§15, §17.1.1.3; RFC 6026).
export { DialogError, type DialogErrorCode } from './errors.ts';
export { type DialogId, dialogIdEquals, dialogIdOf, dialogKey, incomingDialogId, isInDialogRequest, type MessageRole, swapDialogId } from './id.ts';
export { DIALOG_INPUTS, DIALOG_STATES, DIALOG_TRANSITIONS, type DialogInput, type DialogState, nextDialogState } from './state.ts';
export {
  type ContactInit,
  createAckForNon2xx,
  createCancel,
  type CreateCancelOptions,
  createDialogResponse,
  type CreateDialogResponseOptions,
  createRejection,
  DEFAULT_MAX_FORWARDS,
  type Rejection,
  type RejectionCode,
  requestUriOf,
} from './build.ts';
export {
  type Acceptance,
  type CreateRequestOptions,
  Dialog,
  type DialogClock,
  type DialogOptions,
  type DialogResponseOptions,
  type DialogRole,
  type Drop,
  type ReceiveRequestResult,
  type ReceiveResponseResult,
  TARGET_REFRESH_METHODS,
} from './dialog.ts';
export { type CreatingResponseResult, DIALOG_TABLE_DEFAULTS, type DialogLookup, DialogTable, type DialogTableOptions } from './table.ts';
export { TWO_XX_RETRANSMIT_DEFAULTS, type TwoXxRetransmitState, TwoXxRetransmitter, type TwoXxRetransmitterOptions } from './retransmit.ts';
