// The tenant layer's public surface (DESIGN.md §2 "tenant/"): the model rules, the store, the engine's policies (directory), the admin API, events, and the assembled layer for `hotline serve`.
export * from './errors.ts';
export * from './model/index.ts';
export * from './store/index.ts';
export * from './directory/index.ts';
export * from './api/index.ts';
export * from './events/index.ts';
export { openTenantLayer, type TenantLayer, type TenantLayerOptions } from './layer.ts';
export { type Logger, silentLogger } from './log.ts';
