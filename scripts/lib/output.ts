import { writeFileSync } from 'node:fs';
import { redactUrls } from './redact.ts';

/**
 * Characters that must not reach a terminal or a report file as they are: C0 controls but tab and newline
 * (ESC starts terminal sequences, CR overwrites a line), DEL and C1 (0x9b is a one-byte CSI), line and
 * paragraph separators, bidirectional marks and overrides (text that reads differently than it is), the
 * replacement character (bytes that were not UTF-8), noncharacters
 * and lone surrogates (neither is allowed in XML).
 */
function isUnprintable(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09 && code !== 0x0a) ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    (code >= 0xd800 && code <= 0xdfff) ||
    code === 0xfffd ||
    code === 0xfffe ||
    code === 0xffff
  );
}

/** Printable ASCII, tab and newline: nothing to escape (the common case, checked at once). */
const PLAIN = /^[\t\n -~]*$/;

/**
 * Report and tool text as it may be printed or written: every unprintable character shown as `\uXXXX`,
 * which reads plainly on a terminal and is the same character again inside a JSON string. Pure.
 */
export function printable(text: string): string {
  if (PLAIN.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    out += ch.length === 1 && isUnprintable(code) ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
  }
  return out;
}

/** Text for an XML attribute or element: printable, then the five XML escapes; always well-formed. Pure. */
export function xmlText(text: string): string {
  return printable(text).replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

/** Prints report or tool text on stdout, escaped. */
export function printOut(text: string): void {
  console.log(printable(text));
}

/** Prints a progress or diagnostic line on stderr, escaped. */
export function printErr(text: string): void {
  console.error(printable(text));
}

/** Writes a report file (text, Markdown, JSON or XML), escaped and redacted like what is printed. */
export function writeReport(path: string, text: string): void {
  writeFileSync(path, printable(redactUrls(text)));
}
