// The interpreter's contracts: what the tenant layer supplies (FlowHost, AgentTarget, PromptFactory), what a node kind implements, and what a run reports for the CDR (DESIGN.md §1–§2, issue 6 "Transfer to an agent").
import type { CallControl, CallInfo, DialTarget, PromptSource, RecordingOutcome } from '../../engine/call/types.ts';
import type { IvrLogger } from '../log.ts';
import type { JsonSchema } from '../schema/json-schema.ts';
import type { Flow, FlowNode, RingStrategy, ToneCountry } from '../schema/types.ts';
import type { VoiceSelection } from '../tts/voice.ts';

/** An agent the flow may ring. */
export interface AgentTarget {
  agentId: string;
  extension: string;
  name?: string;
  /** The agent's registered contacts, rung together (a fork; the first 200 wins). Empty: not reachable. */
  contacts: readonly DialTarget[];
  /** Presence as the tenant layer knows it. Default `available`. */
  state?: 'available' | 'busy' | 'offline';
}

/** Which agents of a group to ring, in which order. */
export interface AgentGroupSpec {
  /** Group name; undefined: every agent of the tenant. */
  group?: string;
  strategy: RingStrategy;
  /** At most this many agents. */
  limit: number;
}

/** Who receives a notification. */
export type NotifyRecipient = { kind: 'webhook' } | { kind: 'agent'; agent: AgentTarget };

/** A notification: an agent's `agent.incoming_call` before a transfer rings, or a flow's `notify` node. */
export interface NotifyMessage {
  event: 'agent.incoming_call' | 'flow.notify';
  /** The templated message. */
  text: string;
  call: CallInfo;
  vars: Readonly<Record<string, string>>;
  /** The node that sent it. */
  node: string;
}

/** A recording the flow made: a voicemail (caller only) or a bridged call (stereo). */
export interface FlowRecording {
  kind: 'voicemail' | 'call';
  path: string;
  node: string;
  /** Known for voicemails when they end; for calls the engine writes the file while the call lasts. */
  durationMs?: number;
  agent?: AgentTarget;
}

/** Progress of a transfer (for events and live views). */
export interface TransferEvent {
  phase: 'ringing' | 'answered' | 'ended' | 'failed';
  node: string;
  call: CallInfo;
  agents: readonly AgentTarget[];
  /** The agent who answered (answered, ended). */
  agent?: AgentTarget;
  /** Dial outcome (failed). */
  outcome?: string;
}

/** Makes the audio of prompts: speech (the tenant's TTS choice) and the tenant's audio files. */
export interface PromptFactory {
  speech(text: string, voice: VoiceSelection): PromptSource;
  /** A WAV file of the tenant's library by relative name (validated by the schema: no `..`). */
  file(name: string): PromptSource;
}

/**
 * What a flow needs to know about its tenant; implemented by the tenant layer. Methods may be called concurrently
 * by many calls. A method that throws or rejects degrades the node (a transfer goes to `unavailable`, a notify is
 * skipped), it never ends another call.
 */
export interface FlowHost {
  /** IANA time zone of the tenant (`Asia/Shanghai`), for `branch` times and days. */
  readonly timezone: string;
  readonly prompts: PromptFactory;
  /** The agent who last served this caller (affinity), whatever their state; undefined when none. */
  lastAgent(caller: string, call: CallInfo): Promise<AgentTarget | undefined>;
  /** An agent by extension, whatever their state; undefined when unknown. */
  agent(extension: string, call: CallInfo): Promise<AgentTarget | undefined>;
  /** The available agents of a group (or of the tenant) in the order the strategy picks. */
  agentTargets(spec: AgentGroupSpec, call: CallInfo): Promise<AgentTarget[]>;
  /** Delivers a notification (webhook outbox, live stream). */
  notify(to: NotifyRecipient, message: NotifyMessage): Promise<void>;
  /** Absolute path of a new recording of this call. */
  recordingPath(kind: 'voicemail' | 'call', call: CallInfo): string;
  /** fetch for `http` nodes (default: the global fetch); the tenant layer may restrict destinations. */
  httpFetch?: typeof fetch;
  /** Ringback cadence for `music: "ringback"` (default `us`). */
  readonly ringbackCountry?: ToneCountry;
  /** A recording was made (voicemail ended, bridged call ended). */
  onRecording?(recording: FlowRecording, call: CallInfo): void | Promise<void>;
  /** Transfer progress. */
  onTransfer?(event: TransferEvent): void;
}

/** Wall-clock time source (ms since the epoch); injected for tests. */
export interface IvrClock {
  now(): number;
}

/** The system clock. */
export const SYSTEM_CLOCK: IvrClock = Object.freeze({ now: () => Date.now() });

/** What a run gathers besides the path, filled by nodes. */
export interface RunReport {
  recordings: FlowRecording[];
  answeredBy?: AgentTarget;
}

/** What a node sees while it runs. */
export interface NodeContext {
  readonly call: CallControl;
  readonly host: FlowHost;
  readonly flow: Flow;
  /** This node's name. */
  readonly node: string;
  readonly clock: IvrClock;
  readonly log: IvrLogger;
  /** Call variables (read-only view; write with setVar). */
  readonly vars: Readonly<Record<string, string>>;
  readonly report: RunReport;
  /** Sets a call variable (values are cut to 1000 characters; at most 100 variables). */
  setVar(name: string, value: string): void;
  /** Substitutes placeholders; `encode` transforms substituted values (e.g. encodeURIComponent). */
  render(template: string, encode?: (value: string) => string): string;
}

/** How a node ended. */
export interface NodeResult {
  /** The next node; absent: the flow ends. */
  next?: string;
  /** A short word for the CDR path: `played`, `barge-in`, `matched`, `no-input`, `bridged`, `timeout`… */
  outcome: string;
  /** Extra facts for the CDR (no secrets: free DTMF input is recorded by length only). */
  detail?: Record<string, unknown>;
  /** `bridged`: the transfer's call ended; `hangup`: a hangup node. */
  end?: 'bridged' | 'hangup';
  /** Reason given to CallControl.hangup when the flow ends here. */
  hangupReason?: string;
}

/** A node kind's implementation: its schema (re-exported from ivr/schema) and run. */
export interface NodeImpl<N extends FlowNode = FlowNode> {
  readonly schema: JsonSchema;
  /**
   * Runs the node. Must stop promptly when `signal` aborts (the caller hung up) — rejecting with CallEndedError —
   * and must not leave timers, listeners or requests behind.
   */
  run(ctx: NodeContext, node: N, signal: AbortSignal): Promise<NodeResult>;
}

/** One step of the path a call took (for the CDR). */
export interface PathStep {
  node: string;
  kind: string;
  /** ms since the epoch (the run's clock). */
  enteredAt: number;
  leftAt?: number;
  /** The node's outcome, or `hangup` (caller hung up here), `error`, `step-limit`. */
  outcome: string;
  detail?: Record<string, unknown>;
}

/** How a run ended. */
export type FlowOutcome =
  /** The flow reached a hangup node or a node without a next. */
  | 'completed'
  /** A transfer bridged the caller and that call ended. */
  | 'bridged'
  /** The caller hung up during the flow. */
  | 'hangup'
  /** Too many steps (a loop); the call was ended. */
  | 'step-limit'
  /** The flow or its host failed; the call was ended. */
  | 'error';

/** What a run reports (written into the CDR by the tenant layer). */
export interface FlowRunResult {
  outcome: FlowOutcome;
  path: PathStep[];
  vars: Record<string, string>;
  recordings: FlowRecording[];
  answeredBy?: AgentTarget;
  startedAt: number;
  endedAt: number;
  error?: { code: string; message: string; node?: string };
}
