// The tenant directory's public surface: the engine's policies (credential lookup, binding store, inbound router) over the store.
export {
  type AgentState,
  type DirectoryOptions,
  endpointText,
  type InboundRefusal,
  type InboundRefusalReason,
  type InboundResolution,
  type InboundRoute,
  TenantDirectory,
} from './directory.ts';
