// Option merging for the simulator: defaults overridden only by values that are present (an explicit `undefined` keeps the default).

/** `{...defaults, ...partial}` without the keys of `partial` whose value is undefined. */
export function withDefaults<D extends object, P extends object>(defaults: D, partial: P): D & P {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) out[k] = v;
  return out as D & P;
}
