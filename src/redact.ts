/**
 * Secrets must never reach output, reports or errors. Two layers:
 * credentials embedded in URLs (`https://user:token@host`) are always masked,
 * and any known secret value is replaced wherever it appears.
 */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]+)(?::[^\s/@]*)?@/gi;

export const MASK = '***';

export function redact(text: string, secrets: readonly string[] = []): string {
  let result = text.replace(URL_CREDENTIALS, (_match, scheme: string) => `${scheme}${MASK}@`);
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join(MASK);
  }
  return result;
}
