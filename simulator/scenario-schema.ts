// The published JSON Schema (draft 2020-12) of simulation scenario files (`hotline sim run FILE.yaml`); simulator/scenario.schema.json is this object, written out.
import type { JsonSchema } from './json-schema.ts';

/** Metrics an expectation may name (see the report's `metrics`). */
export const METRICS = Object.freeze([
  'placedCalls',
  'answeredCalls',
  'failedCalls',
  'bridgedCalls',
  'answerSeizureRatio',
  'bridgeRatio',
  'setupLatencyP50Ms',
  'setupLatencyP95Ms',
  'setupLatencyP99Ms',
  'setupLatencyMaxMs',
  'agentAnswerLatencyP50Ms',
  'agentAnswerLatencyP95Ms',
  'agentAnswerLatencyP99Ms',
  'ivrTimeP50Ms',
  'ivrTimeP95Ms',
  'greetingHeardRatio',
  'callerHeardAgentRatio',
  'agentHeardCallerRatio',
  'mosMin',
  'mosMean',
  'lossPercentMax',
  'jitterMsMax',
  'registrationFailures',
  'peakConcurrentCalls',
] as const);

export type MetricName = (typeof METRICS)[number];

const AUDIO: JsonSchema = {
  type: 'string',
  description: 'tone:HZ[+HZ…][@AMPLITUDE], wav:PATH, speech:TEXT or silence',
  pattern: '^(tone:\\d+(\\.\\d+)?(\\+\\d+(\\.\\d+)?)*(@\\d+)?|wav:.+|speech:.+|silence)$',
};

const SECONDS: JsonSchema = { type: 'number', minimum: 0, maximum: 86_400 };

const SPREAD: JsonSchema = {
  description: 'seconds, fixed or drawn uniformly from a range',
  anyOf: [
    SECONDS,
    {
      type: 'object',
      properties: { min: SECONDS, max: SECONDS },
      required: ['min', 'max'],
      additionalProperties: false,
    },
  ],
};

const BEHAVIOUR_PROPS: Record<string, JsonSchema> = {
  action: { enum: ['answer', 'decline', 'no-answer', 'busy'], description: 'answer after ringMs; decline (603) after ringMs; busy (486) at once; no-answer: ring until cancelled' },
  ringMs: { type: 'integer', minimum: 0, maximum: 600_000 },
  talkSec: { type: 'number', minimum: 0, maximum: 86_400, description: 'hang up this long after answering (absent: wait for the other side)' },
  hold: {
    type: 'object',
    properties: { afterMs: { type: 'integer', minimum: 0 }, durationMs: { type: 'integer', minimum: 0 } },
    required: ['afterMs', 'durationMs'],
    additionalProperties: false,
  },
};

const BEHAVIOUR: JsonSchema = { type: 'object', properties: BEHAVIOUR_PROPS, required: ['action'], additionalProperties: false };
const WEIGHTED_BEHAVIOUR: JsonSchema = {
  type: 'object',
  properties: { weight: { type: 'number', exclusiveMinimum: 0 }, ...BEHAVIOUR_PROPS },
  required: ['action'],
  additionalProperties: false,
};

const EXPECTATION: JsonSchema = {
  type: 'string',
  description: 'a comparison such as ">= 0.9" or "<= 500"',
  pattern: '^\\s*(<=|>=|<|>|==)\\s*-?\\d+(\\.\\d+)?\\s*$',
};

const NUMBER_TEXT: JsonSchema = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9+*#._-]+$', description: 'a dialable number or SIP user part' };

/** The scenario schema. */
export const SCENARIO_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://hotline.dev/schemas/simulator-scenario.json',
  title: 'Hotline simulation scenario',
  description: 'Simulated gateways and agents, a bounded load pattern and expectations, run with `hotline sim run FILE`.',
  type: 'object',
  required: ['server', 'gateways', 'load'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string' },
    seed: { type: 'integer', minimum: 0, maximum: 4_294_967_295, description: 'seed of every random choice (caller numbers, mixes, durations)' },
    server: {
      type: 'object',
      additionalProperties: false,
      properties: {
        address: { type: 'string', pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[^:\\s]+)(:\\d{1,5})?$', description: 'HOST[:PORT] of the SIP server (UDP)' },
        inProcess: { type: 'boolean', description: 'start a server in this process (needs the composition root hook)' },
        domain: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9.-]+$', description: 'tenant domain' },
        numbers: { type: 'array', items: NUMBER_TEXT, minItems: 1, maxItems: 1000 },
      },
    },
    gateways: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      items: {
        type: 'object',
        required: ['username'],
        additionalProperties: false,
        properties: {
          username: { type: 'string', minLength: 1 },
          password: { type: 'string' },
          lines: { type: 'integer', minimum: 1, maximum: 10_000 },
          register: { type: 'boolean' },
          registerExpiresSec: { type: 'integer', minimum: 1, maximum: 86_400 },
          callerIds: {
            type: 'object',
            minProperties: 1,
            maxProperties: 1,
            additionalProperties: false,
            properties: {
              fixed: NUMBER_TEXT,
              list: { type: 'array', items: NUMBER_TEXT, minItems: 1, maxItems: 100_000 },
              random: {
                type: 'object',
                additionalProperties: false,
                properties: { prefix: { type: 'string', pattern: '^\\+?[0-9]*$' }, digits: { type: 'integer', minimum: 1, maximum: 15 } },
              },
            },
          },
          callerIdOrder: { enum: ['round-robin', 'random'] },
          customer: BEHAVIOUR,
        },
      },
    },
    agents: {
      type: 'array',
      maxItems: 64,
      items: {
        type: 'object',
        required: ['extensions', 'password'],
        additionalProperties: false,
        properties: {
          extensions: {
            type: ['string', 'array'],
            description: '"100", "100-119", "100,105-107" or a list',
            items: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9._+-]+$' },
            minItems: 1,
            maxItems: 10_000,
            pattern: '^[A-Za-z0-9._+]+(-\\d+)?(,[A-Za-z0-9._+]+(-\\d+)?)*$',
          },
          password: { type: 'string', description: 'may contain {ext}, replaced by each extension' },
          behaviour: BEHAVIOUR,
          behaviourMix: { type: 'array', items: WEIGHTED_BEHAVIOUR, minItems: 1, maxItems: 32 },
          audio: AUDIO,
          registerExpiresSec: { type: 'integer', minimum: 1, maximum: 86_400 },
        },
      },
    },
    load: {
      type: 'object',
      additionalProperties: false,
      required: ['callsPerSecond'],
      description: 'always bounded: totalCalls and/or durationSec',
      properties: {
        callsPerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 10_000 },
        maxConcurrent: { type: 'integer', minimum: 1, maximum: 100_000 },
        totalCalls: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        durationSec: { type: 'number', exclusiveMinimum: 0, maximum: 86_400 },
        maxCallSec: { type: 'number', exclusiveMinimum: 0, maximum: 86_400, description: 'every call is hung up after this, whatever happens' },
      },
    },
    callers: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      description: 'the caller mix: one profile is drawn per call by weight',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          weight: { type: 'number', exclusiveMinimum: 0 },
          number: NUMBER_TEXT,
          talkSec: SPREAD,
          maxRingSec: { type: 'number', exclusiveMinimum: 0, maximum: 3600 },
          audio: AUDIO,
          dtmf: {
            type: 'array',
            maxItems: 32,
            items: {
              type: 'object',
              required: ['atMs', 'digits'],
              additionalProperties: false,
              properties: {
                atMs: { type: 'integer', minimum: 0 },
                digits: { type: 'string', minLength: 1, pattern: '^[0-9*#A-Da-d]+$' },
                mode: { enum: ['rfc4733', 'inband'] },
                durationMs: { type: 'integer', minimum: 40, maximum: 5000 },
                gapMs: { type: 'integer', minimum: 0, maximum: 5000 },
              },
            },
          },
        },
      },
    },
    checks: {
      type: 'object',
      additionalProperties: false,
      description: 'audio checks; tones default to the callers’ and agents’ tone audio',
      properties: {
        callerTone: { type: 'number', exclusiveMinimum: 0, maximum: 4000 },
        agentTone: { type: 'number', exclusiveMinimum: 0, maximum: 4000 },
        greetingMinMs: { type: 'integer', minimum: 0 },
        toneMinMs: { type: 'integer', minimum: 20 },
      },
    },
    record: { anyOf: [{ type: 'boolean' }, { type: 'string', minLength: 1 }], description: 'record every call (true: into the report directory)' },
    rtpPorts: { type: 'string', pattern: '^\\d{1,5}-\\d{1,5}$', description: 'LOW-HIGH RTP ports of the simulated phones' },
    expect: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(METRICS.map((m) => [m, EXPECTATION])),
    },
  },
};
