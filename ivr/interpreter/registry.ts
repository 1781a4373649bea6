// The node kinds of the interpreter: kind → implementation (STYLE.md "IVR": one file per kind exporting its schema and run).
import type { FlowNode, NodeKind } from '../schema/types.ts';
import * as branch from './nodes/branch.ts';
import * as gather from './nodes/gather.ts';
import * as hangup from './nodes/hangup.ts';
import * as http from './nodes/http.ts';
import * as notify from './nodes/notify.ts';
import * as play from './nodes/play.ts';
import * as record from './nodes/record.ts';
import * as say from './nodes/say.ts';
import * as setVar from './nodes/set-var.ts';
import * as transfer from './nodes/transfer.ts';
import type { NodeImpl } from './types.ts';

/** Kind → implementation. A registry may be replaced (tests, extensions) but must cover every kind a flow uses. */
export type NodeRegistry = { readonly [K in NodeKind]: NodeImpl<Extract<FlowNode, { type: K }>> };

/** The built-in kinds. */
export const NODE_REGISTRY: NodeRegistry = Object.freeze({
  say: { schema: say.schema, run: say.run },
  play: { schema: play.schema, run: play.run },
  gather: { schema: gather.schema, run: gather.run },
  transfer: { schema: transfer.schema, run: transfer.run },
  notify: { schema: notify.schema, run: notify.run },
  record: { schema: record.schema, run: record.run },
  branch: { schema: branch.schema, run: branch.run },
  setVar: { schema: setVar.schema, run: setVar.run },
  http: { schema: http.schema, run: http.run },
  hangup: { schema: hangup.schema, run: hangup.run },
});
