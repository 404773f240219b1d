/** The UTF-8 byte-order mark, as the first character of decoded text. */
export const BOM = '\uFEFF';

/**
 * Text without a leading byte-order mark. Every reader of a definition, data file, run record or
 * weights file goes through this: a BOM (Notepad writes one) is not content.
 */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The text of a data file's bytes: UTF-8 (a malformed sequence reads as U+FFFD), without a BOM.
 * The Node reader (src/node/workspaceFile.ts) and the panel's worker, which receives the bytes
 * the host read as a transferred ArrayBuffer, both decode here.
 */
export function decodeText(bytes: ArrayBuffer | Uint8Array): string {
  return stripBom(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes));
}
