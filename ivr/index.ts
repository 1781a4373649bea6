// Public surface of ivr/: flow schema and validation, the default flow, the interpreter over engine/call, prompts (speech, files, tones) and text-to-speech (DESIGN.md §2 "ivr/").
export * from './schema/index.ts';
export { DEFAULT_FLOW } from './default-flow.ts';
export { FlowRuntimeError, FlowValidationError, TtsError } from './errors.ts';
export type { FlowRuntimeErrorCode, TtsErrorCode } from './errors.ts';
export { MemoryLogger, SILENT_LOGGER } from './log.ts';
export type { IvrLogFn, IvrLogger } from './log.ts';
export { MAX_VARS, MAX_VAR_LENGTH, RUN_FLOW_DEFAULTS, runFlow } from './interpreter/interpreter.ts';
export type { RunFlowOptions } from './interpreter/interpreter.ts';
export { NODE_REGISTRY } from './interpreter/registry.ts';
export type { NodeRegistry } from './interpreter/registry.ts';
export { evaluate as evaluateCondition, inWindow, localTime } from './interpreter/conditions.ts';
export type { ConditionScope, LocalTime } from './interpreter/conditions.ts';
export { SYSTEM_CLOCK } from './interpreter/types.ts';
export type {
  AgentGroupSpec,
  AgentTarget,
  FlowHost,
  FlowOutcome,
  FlowRecording,
  FlowRunResult,
  IvrClock,
  NodeContext,
  NodeImpl,
  NodeResult,
  NotifyMessage,
  NotifyRecipient,
  PathStep,
  PromptFactory,
  RunReport,
  TransferEvent,
} from './interpreter/types.ts';
export { audioPath, downmix, filePrompt, wavTo8k } from './media/file-prompt.ts';
export { promptFactory } from './media/prompts.ts';
export type { PromptFactoryOptions } from './media/prompts.ts';
export { RINGBACK_PLANS, renderTone, ringbackPrompt } from './media/tones.ts';
export type { TonePlan } from './media/tones.ts';
export * from './tts/index.ts';
