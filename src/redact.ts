/**
 * Secrets must never reach output, reports, messages or errors. Three layers: credentials
 * embedded in URLs (`https://user:token@host`) and the credentials of Authorization headers
 * (`Bearer …`, `Basic …`) are always masked; any known secret is replaced in every form it can
 * take (see secretForms); and text from a remote service is cut to one short reason (remoteReason).
 */
// Mutation testing: the two Regex mutants of the scheme's second class ([a-z0-9+.-]* to one character, or negated) survive as
// equivalent mutants: the pattern is unanchored, so a shorter scheme match ends at the same "://" and the output is the same.
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]+)(?::[^\s/@]*)?@/gi;
const AUTH_CREDENTIALS = /\b(Bearer|Basic|Token)(\s+|%20|\+)[A-Za-z0-9._~+/=-]{4,}/gi;
/** Long runs of token-like characters: an echoed key, hash or header value nobody needs in a reason. */
const OPAQUE_RUN = /[A-Za-z0-9+/_=-]{32,}/g;

export const MASK = '***';

// Stryker disable next-line ArrayDeclaration: equivalent — a default list holding a made-up string changes no real output.
export function redact(text: string, secrets: readonly string[] = []): string {
  let result = text
    .replace(URL_CREDENTIALS, (_match, scheme: string) => `${scheme}${MASK}@`)
    .replace(AUTH_CREDENTIALS, (_match, scheme: string, space: string) => `${scheme}${space}${MASK}`);
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join(MASK);
  }
  return result;
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/**
 * Every form in which a secret could be printed: as set, percent-decoded (a password inside a
 * URL), percent-encoded, and base64, alone and as the `user:password` pair of a Basic header (or
 * the `\0user\0password` of SMTP AUTH PLAIN). Longest first, so a form is masked before a part of it.
 */
export function secretForms(values: readonly (string | undefined)[], pairs: readonly [string | undefined, string | undefined][] = []): string[] {
  const forms = new Set<string>();
  // Trimmed: a token pasted with its newline is sent without it, and would be echoed without it.
  for (const value of values.map((raw) => raw?.trim())) {
    // Shorter values are no secrets worth the name, and masking them would mangle ordinary text.
    if (!value || value.length < 4) continue;
    forms.add(value);
    forms.add(encodeURIComponent(value));
    try {
      forms.add(decodeURIComponent(value));
    } catch {
      // not percent-encoded: the value itself is enough
    }
    forms.add(base64(value));
  }
  for (const [user, secret] of pairs.map(([user, secret]) => [user?.trim(), secret?.trim()] as const)) {
    if (!user || !secret) continue;
    forms.add(base64(`${user}:${secret}`));
    forms.add(base64(`\0${user}\0${secret}`));
  }
  return [...forms].filter((form) => form.length >= 4).sort((a, b) => b.length - a.length);
}

/** At most `max` UTF-16 units, cut between code points (never inside a surrogate pair), `…` marking the cut. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let clipped = '';
  for (const codePoint of text) {
    if (clipped.length + codePoint.length > max - 1) break;
    clipped += codePoint;
  }
  return `${clipped}…`;
}

/**
 * What a remote service said, reduced to one short line fit for a channel or a file: its first
 * line, without credentials or long opaque strings (a service may echo the request's
 * Authorization header), at most 120 characters.
 */
export function remoteReason(text: string): string {
  const line = text.split(/\r?\n/).map((part) => part.trim()).find(Boolean) ?? '';
  return clipText(redact(line).replace(OPAQUE_RUN, MASK), 120);
}
