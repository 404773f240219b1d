/** The UTF-8 byte-order mark, as the first character of decoded text. */
export const BOM = '\uFEFF';

/**
 * Text without a leading byte-order mark. Every reader of a definition, data file, run record or
 * weights file goes through this: a BOM (Notepad writes one) is not content.
 */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
