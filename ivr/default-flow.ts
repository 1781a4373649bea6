// The default inbound flow (DESIGN.md §1, issue 7): greeting → last agent (notify + record) → every available agent → voicemail → hangup.
import doc from './default-flow.json' with { type: 'json' };
import { assertFlow } from './schema/validate.ts';
import type { Flow } from './schema/types.ts';

/** The flow a tenant without a published flow runs (validated at load; a fresh deep copy per import). */
export const DEFAULT_FLOW: Readonly<Flow> = Object.freeze(assertFlow(structuredClone(doc)));
