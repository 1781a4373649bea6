// The event types the platform emits (DESIGN.md §3 "Events"): webhooks and the live stream carry these names.

/** Every event type, in the order DESIGN.md lists them. */
export const EVENT_TYPES = Object.freeze([
  'agent.incoming_call',
  'call.started',
  'call.answered',
  'call.ended',
  'recording.ready',
  'message.created',
  'gateway.registered',
  'gateway.unregistered',
] as const);

/** One of {@link EVENT_TYPES}. */
export type EventType = (typeof EVENT_TYPES)[number];

/** True when `s` is a known event type. */
export function isEventType(s: string): s is EventType {
  return (EVENT_TYPES as readonly string[]).includes(s);
}
