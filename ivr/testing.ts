// Test doubles of the IVR for other layers' tests: a scripted in-memory CallControl and FlowHost (NOT for production use).
export { PAUSE, ScriptedCall } from './interpreter/testing/scripted-call.ts';
export type { CallOp, CallScript, DialScript, PlayScript } from './interpreter/testing/scripted-call.ts';
export { FakeFlowHost, FakePrompts, agent, contact } from './interpreter/testing/fake-host.ts';
export { flowOf, settledWithinATurn, until } from './interpreter/testing/flows.ts';
