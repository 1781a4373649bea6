// The admin API's public surface: buildAdminApi, its options, the flow validator seam, and the request schemas.
export { API_PREFIX, type AdminApiOptions, buildAdminApi } from './server.ts';
export { type FlowFault, type FlowValidator, PlaceholderFlowValidator } from './flow-validator.ts';
export type { LiveEvents, Principal } from './context.ts';
export { type ByteRange, parseRange } from './range.ts';
