// The events layer's public surface: transactional event writing, the engine's activity recorder, the live bus, webhook delivery and signatures.
export { CallActivity, type Emit, type EventSinks, EventWriter } from './activity.ts';
export { EventBus, type EventListener } from './bus.ts';
export { type DispatcherOptions, type DispatcherStats, WebhookDispatcher, type WebhookPayload, webhookPayload } from './dispatcher.ts';
export { SIGNATURE_HEADER, type SignatureFault, signatureHeader, signPayload, verifySignature } from './signature.ts';
