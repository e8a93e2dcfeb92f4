/**
 * Text from commits and Jira shown as the characters it holds: control bytes (ESC sequences, OSC
 * titles, a bare CR, BEL, C1 controls) and bidirectional overrides would otherwise move the
 * cursor, retitle the terminal, or hide and reorder what the release engineer reads and confirms.
 * Each becomes a visible escape (`\x1b`, `\u202e`); tab and newline stay as they are.
 */
const INVISIBLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function visible(text: string): string {
  return text.replace(INVISIBLE, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
