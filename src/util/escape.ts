/** Control characters but tab and newline: a terminal may act on them (ESC starts a command). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * The text with control characters written as escapes (`\u001b`), for every message that echoes
 * input: a binary file or a crafted line must not drive the terminal it is printed on.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Text for a stream: on a terminal, with line ends as "\n" and other control characters as
 * escapes (a model's answer must not drive the terminal); anywhere else byte-exact, since it is
 * data for another program.
 */
export function forStream(text: string, stream: { isTTY?: boolean }): string {
  return stream.isTTY === true ? escapeControl(text.replace(/\r\n/g, "\n")) : text;
}
