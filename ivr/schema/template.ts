// Templates in flow texts: `{{caller}}`, `{{called}}`, `{{calledIdentity}}`, `{{callId}}`, `{{vars.NAME}}` (no RFC; Mustache-like variables only, no logic).

/** What a template can name. */
export interface TemplateScope {
  caller: string;
  called: string;
  calledIdentity: string;
  callId: string;
  vars: Readonly<Record<string, string>>;
}

/** Names a template may use besides `vars.NAME`. */
export const TEMPLATE_NAMES: readonly string[] = Object.freeze(['caller', 'called', 'calledIdentity', 'callId']);

/** Variable names: letters, digits, underscore; not starting with a digit; at most 64. */
export const VAR_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,63}$';
const VAR_NAME = new RegExp(VAR_NAME_PATTERN);

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** True when `text` contains a placeholder (so its value depends on the call). */
export function hasPlaceholders(text: string): boolean {
  PLACEHOLDER.lastIndex = 0;
  return PLACEHOLDER.test(text);
}

/** Names in `text` that are not placeholders a template may use, e.g. `["vars.", "callr"]`. */
export function unknownPlaceholders(text: string): string[] {
  const bad: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[1];
    if (TEMPLATE_NAMES.includes(name)) continue;
    if (name.startsWith('vars.') && VAR_NAME.test(name.slice(5))) continue;
    bad.push(name);
  }
  return bad;
}

/**
 * Substitutes the placeholders of `text`. An unset variable yields the empty string. `encode` transforms each
 * substituted value (e.g. `encodeURIComponent` for URLs); the literal text around placeholders is kept as written.
 */
export function renderTemplate(text: string, scope: TemplateScope, encode?: (value: string) => string): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    let value: string;
    if (name.startsWith('vars.')) value = Object.hasOwn(scope.vars, name.slice(5)) ? scope.vars[name.slice(5)] : '';
    else if (name === 'caller' || name === 'called' || name === 'calledIdentity' || name === 'callId') value = scope[name];
    else value = '';
    return encode ? encode(value) : value;
  });
}
