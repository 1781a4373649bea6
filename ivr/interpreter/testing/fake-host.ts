// TEST DOUBLE: an in-memory FlowHost (agents, affinity, groups, notifications, recordings) and PromptFactory for interpreter tests; no store, no network.
import type { DialTarget, PromptSource } from '../../../engine/call/types.ts';
import type { ToneCountry } from '../../schema/types.ts';
import type { VoiceSelection } from '../../tts/voice.ts';
import type { AgentGroupSpec, AgentTarget, FlowHost, FlowRecording, NotifyMessage, NotifyRecipient, PromptFactory, TransferEvent } from '../types.ts';
import type { CallInfo } from '../../../engine/call/types.ts';

/** A dial target for an agent contact on loopback. */
export function contact(extension: string, n = 0): DialTarget {
  return { uri: `sip:${extension}@10.0.0.${n + 1}:5060`, dest: { transport: 'udp', address: `10.0.0.${n + 1}`, port: 5060 }, label: extension };
}

/** An agent with `contacts` registered contacts. */
export function agent(extension: string, opts: { contacts?: number; state?: AgentTarget['state'] } = {}): AgentTarget {
  const contacts = Array.from({ length: opts.contacts ?? 1 }, (_, i) => contact(extension, i));
  return { agentId: `agent-${extension}`, extension, name: `Agent ${extension}`, contacts, ...(opts.state ? { state: opts.state } : {}) };
}

/** Prompts whose keys show what was asked: `speech:LANG:VOICE:TEXT`, `file:NAME`; they render 100 ms of a tone. */
export class FakePrompts implements PromptFactory {
  speech(text: string, voice: VoiceSelection): PromptSource {
    return { key: `speech:${voice.language ?? '-'}:${voice.voice ?? '-'}:${text}`, render: async () => beep(800) };
  }
  file(name: string): PromptSource {
    return { key: `file:${name}`, render: async () => beep(400) };
  }
}

function beep(hz: number): Int16Array {
  const out = new Int16Array(800);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000));
  return out;
}

/** TEST DOUBLE of FlowHost. */
export class FakeFlowHost implements FlowHost {
  timezone = 'Asia/Shanghai';
  prompts: PromptFactory = new FakePrompts();
  ringbackCountry: ToneCountry | undefined = undefined;
  httpFetch: typeof fetch | undefined = undefined;
  readonly agents = new Map<string, AgentTarget>();
  /** caller → extension. */
  readonly affinity = new Map<string, string>();
  /** group → extensions in strategy order. */
  readonly groups = new Map<string, string[]>();
  readonly notifications: Array<{ to: NotifyRecipient; message: NotifyMessage }> = [];
  readonly recordings: FlowRecording[] = [];
  readonly transfers: TransferEvent[] = [];
  readonly groupQueries: AgentGroupSpec[] = [];
  /** Make the host fail (a broken tenant store). */
  failing = false;
  failNotify = false;

  addAgent(a: AgentTarget, groups: string[] = []): this {
    this.agents.set(a.extension, a);
    for (const g of groups) this.groups.set(g, [...(this.groups.get(g) ?? []), a.extension]);
    return this;
  }

  async lastAgent(caller: string): Promise<AgentTarget | undefined> {
    if (this.failing) throw new Error('store unavailable');
    const ext = this.affinity.get(caller);
    return ext === undefined ? undefined : this.agents.get(ext);
  }

  async agent(extension: string): Promise<AgentTarget | undefined> {
    if (this.failing) throw new Error('store unavailable');
    return this.agents.get(extension);
  }

  async agentTargets(spec: AgentGroupSpec): Promise<AgentTarget[]> {
    if (this.failing) throw new Error('store unavailable');
    this.groupQueries.push(spec);
    const exts = spec.group === undefined ? [...this.agents.keys()] : (this.groups.get(spec.group) ?? []);
    return exts
      .map((e) => this.agents.get(e)!)
      .filter((a) => (a.state ?? 'available') === 'available')
      .slice(0, spec.limit);
  }

  async notify(to: NotifyRecipient, message: NotifyMessage): Promise<void> {
    if (this.failNotify) throw new Error('webhook outbox full');
    this.notifications.push({ to, message });
  }

  recordingPath(kind: 'voicemail' | 'call', call: CallInfo): string {
    return `/data/recordings/${call.id}-${kind}.wav`;
  }

  onRecording(recording: FlowRecording): void {
    this.recordings.push(recording);
  }

  onTransfer(event: TransferEvent): void {
    this.transfers.push(event);
  }
}
