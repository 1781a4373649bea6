// The four SIP transaction state machines as tables (RFC 3261 §17.1.1, §17.1.2, §17.2.1, §17.2.2, with RFC 6026 §7).
// Pure: (state, input) → (next state, actions). No sockets, no timers; the Transaction class executes the actions.

export type TxKind = 'ict' | 'nict' | 'ist' | 'nist';

/** Timers by their RFC 3261 letter (Table 4), plus RFC 6026's L and M. */
/** 'C' is the proxy's INVITE timer (§16.6), used here to bound an INVITE client transaction stuck in Proceeding. */
export type TimerName = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M';

export type IctState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated';
export type NictState = 'trying' | 'proceeding' | 'completed' | 'terminated';
export type IstState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';
export type NistState = 'trying' | 'proceeding' | 'completed' | 'terminated';
export type TxState = IctState | NictState | IstState | NistState;

/** What can happen to a transaction. Responses are classified by the caller; requests are retransmissions or ACK. */
export type TxInput =
  | { type: 'timer'; timer: TimerName }
  | { type: 'recv-1xx' }
  | { type: 'recv-2xx' }
  | { type: 'recv-final' } // 300–699
  | { type: 'recv-request' } // a retransmission of the transaction's request
  | { type: 'recv-ack' }
  | { type: 'send-1xx' } // TU sends a provisional response
  | { type: 'send-2xx' }
  | { type: 'send-final' } // TU sends 300–699
  | { type: 'transport-error' };

/** Actions the Transaction executes, in order. */
export type TxAction =
  | { type: 'send-request' } // (re)transmit the request
  | { type: 'send-ack' } // the ACK for a non-2xx final (§17.1.1.3)
  | { type: 'send-response' } // (re)transmit the last response
  | { type: 'pass-up' } // give the received message to the TU
  | { type: 'start'; timer: TimerName; interval: Interval }
  | { type: 'cancel'; timer: TimerName }
  | { type: 'timeout' } // tell the TU the transaction timed out (Timer B, F, H)
  | { type: 'transport-error' } // tell the TU of the transport failure
  | { type: 'terminate' };

/**
 * How long a timer runs, in terms of the options (RFC 3261 Table 4):
 * 't1' = T1, 'double' = twice the timer's last interval, 'double-t2' = min(2·last, T2), 't2' = T2, 't4' = T4,
 * '64t1' = 64·T1, 'd' = Timer D (≥ 32 s on UDP), and 'zero' when the transport is reliable.
 */
export type Interval = 't1' | 'double' | 'double-t2' | 't2' | 't4' | '64t1' | 'd';

export interface Transition {
  next: TxState;
  actions: TxAction[];
}

const start = (timer: TimerName, interval: Interval): TxAction => ({ type: 'start', timer, interval });
const cancel = (timer: TimerName): TxAction => ({ type: 'cancel', timer });
const A = (type: 'send-request' | 'send-ack' | 'send-response' | 'pass-up' | 'timeout' | 'transport-error' | 'terminate'): TxAction => ({ type });
const stay = (state: TxState, ...actions: TxAction[]): Transition => ({ next: state, actions });
const go = (state: TxState, ...actions: TxAction[]): Transition => ({ next: state, actions });
const terminated = (...actions: TxAction[]): Transition => ({ next: 'terminated', actions: [...actions, A('terminate')] });

/** Key of a table row: `state/input` where input is the input type, with `timer:X` for timers. */
type Row = string;

const inputKey = (input: TxInput): string => (input.type === 'timer' ? `timer:${input.timer}` : input.type);

/** Each table maps `state/input` to a transition; anything absent is ignored (no state change, no action). */
export const ICT_TABLE: ReadonlyMap<Row, Transition> = new Map<Row, Transition>([
  // §17.1.1.2: Timer A retransmits INVITE, doubling each time (no T2 cap for INVITE); Timer B times out.
  ['calling/timer:A', stay('calling', A('send-request'), start('A', 'double'))],
  ['calling/timer:B', terminated(A('timeout'))],
  ['calling/recv-1xx', go('proceeding', cancel('A'), cancel('B'), A('pass-up'))],
  ['proceeding/recv-1xx', stay('proceeding', A('pass-up'))],
  // RFC 6026 §7.2: a 2xx moves to Accepted; retransmitted 2xx go up to the TU, which re-sends its ACK.
  ['calling/recv-2xx', go('accepted', cancel('A'), cancel('B'), A('pass-up'), start('M', '64t1'))],
  ['proceeding/recv-2xx', go('accepted', A('pass-up'), start('M', '64t1'))],
  ['accepted/recv-2xx', stay('accepted', A('pass-up'))],
  ['accepted/timer:M', terminated()],
  // §17.1.1.2: a 300–699 response is ACKed inside the transaction and passed up once.
  ['calling/recv-final', go('completed', cancel('A'), cancel('B'), A('pass-up'), A('send-ack'), start('D', 'd'))],
  ['proceeding/recv-final', go('completed', A('pass-up'), A('send-ack'), start('D', 'd'))],
  ['completed/recv-final', stay('completed', A('send-ack'))],
  ['completed/timer:D', terminated()],
  ['calling/transport-error', terminated(A('transport-error'))],
  ['proceeding/transport-error', terminated(A('transport-error'))],
  ['completed/transport-error', terminated(A('transport-error'))],
]);

export const NICT_TABLE: ReadonlyMap<Row, Transition> = new Map<Row, Transition>([
  // §17.1.2.2: Timer E retransmits at min(2·E, T2) in Trying, at T2 in Proceeding; Timer F times out.
  ['trying/timer:E', stay('trying', A('send-request'), start('E', 'double-t2'))],
  ['proceeding/timer:E', stay('proceeding', A('send-request'), start('E', 't2'))],
  ['trying/timer:F', terminated(A('timeout'))],
  ['proceeding/timer:F', terminated(A('timeout'))],
  ['trying/recv-1xx', go('proceeding', A('pass-up'))],
  ['proceeding/recv-1xx', stay('proceeding', A('pass-up'))],
  ['trying/recv-2xx', go('completed', cancel('E'), cancel('F'), A('pass-up'), start('K', 't4'))],
  ['trying/recv-final', go('completed', cancel('E'), cancel('F'), A('pass-up'), start('K', 't4'))],
  ['proceeding/recv-2xx', go('completed', cancel('E'), cancel('F'), A('pass-up'), start('K', 't4'))],
  ['proceeding/recv-final', go('completed', cancel('E'), cancel('F'), A('pass-up'), start('K', 't4'))],
  // Completed absorbs retransmitted finals until Timer K.
  ['completed/timer:K', terminated()],
  ['trying/transport-error', terminated(A('transport-error'))],
  ['proceeding/transport-error', terminated(A('transport-error'))],
]);

export const IST_TABLE: ReadonlyMap<Row, Transition> = new Map<Row, Transition>([
  // §17.2.1: retransmitted INVITEs get the last provisional again.
  ['proceeding/recv-request', stay('proceeding', A('send-response'))],
  ['proceeding/send-1xx', stay('proceeding', A('send-response'))],
  // RFC 6026 §7.1: a 2xx moves to Accepted (Timer L); the UAS core retransmits it until ACK (§13.3.1.4).
  ['proceeding/send-2xx', go('accepted', A('send-response'), start('L', '64t1'))],
  ['accepted/send-2xx', stay('accepted', A('send-response'))],
  ['accepted/recv-ack', stay('accepted', A('pass-up'))],
  ['accepted/timer:L', terminated()],
  // §17.2.1: 300–699 → Completed; Timer G retransmits (doubling to T2), Timer H gives up waiting for ACK.
  ['proceeding/send-final', go('completed', A('send-response'), start('G', 't1'), start('H', '64t1'))],
  ['completed/recv-request', stay('completed', A('send-response'))],
  ['completed/timer:G', stay('completed', A('send-response'), start('G', 'double-t2'))],
  ['completed/timer:H', terminated(A('timeout'))],
  ['completed/recv-ack', go('confirmed', cancel('G'), cancel('H'), start('I', 't4'))],
  ['confirmed/timer:I', terminated()],
  ['proceeding/transport-error', terminated(A('transport-error'))],
  ['completed/transport-error', terminated(A('transport-error'))],
  ['accepted/transport-error', stay('accepted')],
]);

export const NIST_TABLE: ReadonlyMap<Row, Transition> = new Map<Row, Transition>([
  // §17.2.2: Trying absorbs retransmissions; Proceeding resends the last provisional; Completed the final.
  ['trying/send-1xx', go('proceeding', A('send-response'))],
  ['trying/send-2xx', go('completed', A('send-response'), start('J', '64t1'))],
  ['trying/send-final', go('completed', A('send-response'), start('J', '64t1'))],
  ['proceeding/send-1xx', stay('proceeding', A('send-response'))],
  ['proceeding/send-2xx', go('completed', A('send-response'), start('J', '64t1'))],
  ['proceeding/send-final', go('completed', A('send-response'), start('J', '64t1'))],
  ['proceeding/recv-request', stay('proceeding', A('send-response'))],
  ['completed/recv-request', stay('completed', A('send-response'))],
  ['completed/timer:J', terminated()],
  ['proceeding/transport-error', terminated(A('transport-error'))],
  ['completed/transport-error', terminated(A('transport-error'))],
]);

export const TABLES: Readonly<Record<TxKind, ReadonlyMap<Row, Transition>>> = Object.freeze({
  ict: ICT_TABLE,
  nict: NICT_TABLE,
  ist: IST_TABLE,
  nist: NIST_TABLE,
});

export const INITIAL_STATE: Readonly<Record<TxKind, TxState>> = Object.freeze({
  ict: 'calling',
  nict: 'trying',
  ist: 'proceeding',
  nist: 'trying',
});

/** Actions on creation (RFC 3261 §17.1.1.2, §17.1.2.2; server transactions start on the received request). */
export const INITIAL_ACTIONS: Readonly<Record<TxKind, readonly TxAction[]>> = Object.freeze({
  ict: [A('send-request'), start('A', 't1'), start('B', '64t1')],
  nict: [A('send-request'), start('E', 't1'), start('F', '64t1')],
  ist: [],
  nist: [],
});

/** Looks up the transition; `undefined` means the input is ignored in that state. */
export function transition(kind: TxKind, state: TxState, input: TxInput): Transition | undefined {
  if (state === 'terminated') return undefined;
  return TABLES[kind].get(`${state}/${inputKey(input)}`);
}
