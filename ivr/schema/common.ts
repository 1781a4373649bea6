// Shared pieces of the flow schema: node names, templates, prompts, durations, and the node-kind contract of the schema layer (JSON Schema Validation §6).
import type { Fault, JsonSchema } from './json-schema.ts';
import { VAR_NAME_PATTERN } from './template.ts';
import type { FlowNode, PromptSpec, SayPrompt } from './types.ts';

/** Node names: a letter or underscore, then letters, digits, `_`, `-`; at most 64. */
export const NODE_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]{0,63}$';

/**
 * Tenant audio names: relative paths ending in `.wav` whose segments start with a letter, digit or `_` (so no `.`,
 * `..` or empty segment and no leading `/`: a name cannot leave the tenant's audio directory).
 */
export const AUDIO_NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_. -]*(/[A-Za-z0-9_][A-Za-z0-9_. -]*)*\\.[Ww][Aa][Vv]$';

/** Language tags: `en`, `en-US`, `zh`, `cmn`, `zh-Hans-CN`… */
export const LANGUAGE_PATTERN = '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$';

/** Most nodes a flow may hold. */
export const MAX_NODES = 500;

/** Longest text of a template (characters). */
export const MAX_TEXT = 2000;

export const nodeRef: JsonSchema = { type: 'string', pattern: NODE_NAME_PATTERN, description: 'Name of a node of this flow.' };
export const template: JsonSchema = {
  type: 'string',
  maxLength: MAX_TEXT,
  description: 'Text with {{caller}}, {{called}}, {{calledIdentity}}, {{callId}}, {{vars.NAME}} placeholders.',
};
export const varName: JsonSchema = { type: 'string', pattern: VAR_NAME_PATTERN, description: 'A call variable name.' };
export const language: JsonSchema = { type: 'string', pattern: LANGUAGE_PATTERN, description: 'Language tag, e.g. en, en-US, zh, cmn.' };
export const voice: JsonSchema = { type: 'string', minLength: 1, maxLength: 100, description: 'Voice name of the TTS provider.' };
export const audioName: JsonSchema = { type: 'string', pattern: AUDIO_NAME_PATTERN, maxLength: 200, description: "A WAV file of the tenant's audio library (relative name)." };

/** Seconds in [min, max]. */
export function seconds(min: number, max: number, description: string, dflt?: number): JsonSchema {
  const s: JsonSchema = { type: 'number', minimum: min, maximum: max, description };
  if (dflt !== undefined) s.default = dflt;
  return s;
}

export const promptSchema: JsonSchema = {
  oneOf: [
    {
      type: 'object',
      properties: { say: { ...template, minLength: 1 }, language, voice },
      required: ['say'],
      additionalProperties: false,
    },
    { type: 'object', properties: { play: audioName }, required: ['play'], additionalProperties: false },
  ],
};

/** Fields any node may carry. */
const baseProperties: Record<string, JsonSchema> = {
  description: { type: 'string', maxLength: 1000 },
  meta: { type: 'object', description: 'Editor data; ignored by the interpreter.' },
};

/** Builds a node kind's object schema: `type` pinned to `kind`, base fields added, unknown fields refused. */
export function nodeSchema(kind: string, description: string, properties: Record<string, JsonSchema>, required: string[]): JsonSchema {
  return {
    type: 'object',
    title: kind,
    description,
    properties: { type: { const: kind }, ...properties, ...baseProperties },
    required: ['type', ...required],
    additionalProperties: false,
  };
}

/** A way out of a node: the JSON Pointer of the field (relative to the node) and the node it names. */
export interface NodeExit {
  /** E.g. `/next`, `/branches/1`, `/conditions/0/next`. */
  pointer: string;
  target: string;
}

/** A text that is a template, with its pointer relative to the node. */
export interface NodeText {
  pointer: string;
  text: string;
}

/** What the schema layer knows of a node kind: its schema, exits, extra checks, texts and prompts. */
export interface NodeSpec<N extends FlowNode = FlowNode> {
  readonly kind: N['type'];
  readonly schema: JsonSchema;
  /**
   * True when running the node takes time that depends on the caller or the network (a prompt, input, ringing, a
   * request). A loop made only of nodes that do not wait spins until the step limit, so the validator refuses it.
   */
  readonly waits: boolean;
  /** The nodes this node can go to. */
  exits(node: N): NodeExit[];
  /** Checks JSON Schema cannot express; pointers relative to the node. */
  check(node: N): Fault[];
  /** The templates of the node. */
  texts(node: N): NodeText[];
  /** Speech the node may play whose text does not depend on the call (synthesised at publish time). */
  prompts(node: N): SayPrompt[];
}

/** Helpers for specs. */
export function exit(pointer: string, target: string | undefined): NodeExit[] {
  return target === undefined ? [] : [{ pointer, target }];
}

export function promptTexts(pointer: string, p: PromptSpec | undefined): NodeText[] {
  return p !== undefined && 'say' in p ? [{ pointer: `${pointer}/say`, text: p.say }] : [];
}

export function sayPrompts(...ps: Array<PromptSpec | undefined>): SayPrompt[] {
  return ps.filter((p): p is SayPrompt => p !== undefined && 'say' in p);
}
