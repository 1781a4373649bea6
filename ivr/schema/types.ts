// The flow document as TypeScript types: what FLOW_SCHEMA describes and the interpreter runs (DESIGN.md §3 "Flows").

/** Name of a node in `nodes` (`^[A-Za-z_][A-Za-z0-9_-]{0,63}$`). */
export type NodeName = string;

/** A template: text where `{{caller}}`, `{{called}}`, `{{calledIdentity}}`, `{{callId}}`, `{{vars.NAME}}` are substituted. */
export type Template = string;

/** Speech to synthesise: text with an optional language (BCP 47-ish: `en`, `en-US`, `zh`, `cmn`) and provider voice. */
export interface SayPrompt {
  say: Template;
  language?: string;
  voice?: string;
}

/** An audio file of the tenant (a relative name the host resolves, e.g. `menu/welcome.wav`). */
export interface PlayPrompt {
  play: string;
}

/** A prompt inside gather/record: speech or a file. */
export type PromptSpec = SayPrompt | PlayPrompt;

/** Fields every node may carry for editors; ignored by the interpreter. */
export interface NodeBase {
  /** Free text shown in editors. */
  description?: string;
  /** Editor data (positions, colours…), any JSON object. */
  meta?: Record<string, unknown>;
}

/** Speaks text, then waits until playback ends. */
export interface SayNode extends NodeBase {
  type: 'say';
  text: Template;
  language?: string;
  voice?: string;
  /** A key stops the speech (kept for a following gather). Default false. */
  bargeIn?: boolean;
  next: NodeName;
}

/** Plays a WAV file (any rate and channel count; converted to 8 kHz mono once). */
export interface PlayNode extends NodeBase {
  type: 'play';
  file: string;
  bargeIn?: boolean;
  next: NodeName;
}

/** Collects DTMF keys. */
export interface GatherNode extends NodeBase {
  type: 'gather';
  prompt?: PromptSpec;
  /** Played before the prompt on each retry ("Sorry, I did not get that."). */
  reprompt?: PromptSpec;
  /** Default 1. */
  minDigits?: number;
  /** Default 1. */
  maxDigits?: number;
  /** Key that ends the input early (not part of it). */
  terminator?: '#' | '*';
  /** Seconds allowed before the first key, after the prompt. Default 5. */
  timeoutSec?: number;
  /** Seconds allowed between keys. Default 3. */
  interDigitTimeoutSec?: number;
  /** Seconds allowed for the whole input of one attempt, after the prompt. Default: no bound beyond the others. */
  overallTimeoutSec?: number;
  /** Further attempts after a miss. Default 2. */
  retries?: number;
  /** Keys stop the prompt. Default true. */
  bargeIn?: boolean;
  /** Stores the keys in `vars.NAME`. */
  saveAs?: string;
  /** Input value → node. With branches, other input goes to `noMatch`; without, any input goes to `next`. */
  branches?: Record<string, NodeName>;
  next?: NodeName;
  /** No (or too few) keys after every attempt. */
  noInput: NodeName;
  /** Keys not matching a branch after every attempt (required with `branches`). */
  noMatch?: NodeName;
}

/** How a group's available agents are tried. */
export type RingStrategy = 'ring-all' | 'round-robin' | 'longest-idle' | 'least-answered' | 'random';

/** Whom a transfer rings. */
export type TransferTarget =
  | 'lastAgent'
  | { agent: string }
  | { group: string; strategy?: RingStrategy }
  | { allAgents: true; strategy?: RingStrategy };

/** Ringback tone countries (ITU-T E.180 cadences). */
export type ToneCountry = 'us' | 'uk' | 'eu' | 'cn' | 'jp';

/** What the caller hears while agents ring. */
export type MusicSpec = 'ringback' | 'none' | { tone: ToneCountry } | { play: string };

/** Rings agents and bridges the caller to the first who answers; the flow ends when the bridged call ends. */
export interface TransferNode extends NodeBase {
  type: 'transfer';
  target: TransferTarget;
  /** Seconds each attempt rings. Default 20. */
  ringTimeoutSec?: number;
  /** For hunting strategies: agents tried at most. Default 10. */
  maxAgents?: number;
  /** Record the bridged conversation. Default false. */
  record?: boolean;
  /** Tell each agent before the phone rings (agent.incoming_call). Default true. */
  notify?: boolean | { message?: Template };
  /** Default "ringback" (the tenant's country). */
  music?: MusicSpec;
  noAnswer: NodeName;
  /** Every tried agent was busy. Default: `noAnswer`. */
  busy?: NodeName;
  /** No agent to try (unknown, offline, none available). Default: `noAnswer`. */
  unavailable?: NodeName;
}

/** Who receives a notify message. */
export type NotifyTo = 'webhook' | 'lastAgent' | { agent: string };

/** Sends a message to an agent or the tenant's webhook. */
export interface NotifyNode extends NodeBase {
  type: 'notify';
  to: NotifyTo;
  message: Template;
  next: NodeName;
}

/** Records a voicemail. */
export interface RecordNode extends NodeBase {
  type: 'record';
  prompt?: PromptSpec;
  /** Default true. */
  beep?: boolean;
  /** Default 120. */
  maxSec?: number;
  /** Stop after this much silence; 0 never. Default 5. */
  endOnSilenceSec?: number;
  /** Default true. */
  endOnHash?: boolean;
  /** Stores the recording's path in `vars.NAME`. */
  saveAs?: string;
  next: NodeName;
}

/** String tests of a condition; every one given must hold. */
export interface StringTest {
  equals?: string;
  startsWith?: string;
  in?: string[];
  /** A regular expression (JavaScript syntax, Unicode mode), tested with `RegExp.test`. */
  matches?: string;
  /** For variables: whether it is set (non-empty). */
  exists?: boolean;
}

/** Three-letter day names, Monday first (ISO 8601). */
export type DayName = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** A branch condition, evaluated in the tenant's time zone for times and days. */
export type Condition =
  | { caller: StringTest }
  | { called: StringTest }
  | ({ var: string } & StringTest)
  /** `HH:MM` local times; `from` inclusive, `to` exclusive; `to` < `from` wraps past midnight. */
  | { timeOfDay: { from: string; to: string } }
  | { dayOfWeek: DayName[] }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** Goes to the first rule whose condition holds, else to `default`. */
export interface BranchNode extends NodeBase {
  type: 'branch';
  conditions: Array<{ when: Condition; next: NodeName }>;
  default: NodeName;
}

/** Sets variables (values are templates). */
export interface SetVarNode extends NodeBase {
  type: 'setVar';
  vars: Record<string, Template>;
  next: NodeName;
}

/**
 * Asks the tenant's web service. The reply (JSON) may carry `{ "vars": {NAME: value}, "next": "node" }`; `next`
 * must be one of `routes`. Any failure (status ≥ 300, timeout, malformed reply, unknown route) goes to `fallback`.
 */
export interface HttpNode extends NodeBase {
  type: 'http';
  /** http(s) URL template; substituted values are percent-encoded. */
  url: Template;
  /** Default GET. */
  method?: 'GET' | 'POST';
  headers?: Record<string, Template>;
  /** POST body: JSON whose strings are templates. Default: the call variables. */
  body?: unknown;
  /** Default 3. */
  timeoutSec?: number;
  /** Nodes the reply's `next` may name. */
  routes?: NodeName[];
  next: NodeName;
  fallback: NodeName;
}

/** Ends the call. */
export interface HangupNode extends NodeBase {
  type: 'hangup';
  reason?: string;
}

/** Any node. */
export type FlowNode =
  | SayNode
  | PlayNode
  | GatherNode
  | TransferNode
  | NotifyNode
  | RecordNode
  | BranchNode
  | SetVarNode
  | HttpNode
  | HangupNode;

/** A node kind's name. */
export type NodeKind = FlowNode['type'];

/** A flow document (version 1). */
export interface Flow {
  version: 1;
  name?: string;
  description?: string;
  /** Default language of `say` (default `en`). */
  language?: string;
  /** Default voice of `say`. */
  voice?: string;
  start: NodeName;
  nodes: Record<NodeName, FlowNode>;
  meta?: Record<string, unknown>;
}
