import { MicromarketError } from '../errors.js';
import { lineAt } from './lines.js';

export interface XmlLimits {
  /**
   * Largest accepted document, in bytes.
   * @default 1048576 (1 MiB)
   */
  readonly maxBytes: number;
  /**
   * Deepest accepted element nesting (the root is depth 1). EI payloads nest about 12 deep.
   * @default 32
   */
  readonly maxDepth: number;
}

export const defaultXmlLimits: XmlLimits = { maxBytes: 1024 * 1024, maxDepth: 32 };

const DECLARED_ENCODING = /^\uFEFF?<\?xml\s[^?]*?encoding\s*=\s*["']([^"']{0,40})["']/;
/** UTF-8, or US-ASCII, which is a part of it. */
export const UTF8 = /^(utf-?8|us-ascii)$/i;

const LT = 60, BANG = 33, QUESTION = 63, SLASH = 47, GT = 62, DQUOTE = 34, SQUOTE = 39;

/**
 * Refuses hostile documents before any parser sees them: DOCTYPE, entity and other markup
 * declarations (XXE, entity expansion) and nesting beyond the limit. One linear scan; comments,
 * CDATA and processing instructions are skipped, quoted attribute values may contain `>`. A NUL,
 * which XML never contains, means the body was UTF-16, UTF-32 or binary, not the UTF-8 this scan
 * (and the parser) reads: refused as not well-formed rather than left to fail inside the parser.
 * Other malformed input is left to the parser, which reports it with a line number.
 */
export function rejectHostile(xml: string, limits: XmlLimits): void {
  const nul = xml.indexOf('\0');
  if (nul !== -1) throw new MicromarketError('MM_ERR_XML_MALFORMED', ['documents must be UTF-8 (found a NUL byte)'], { line: lineAt(xml, nul) });
  // A declaration naming another encoding would have the parser decode these UTF-8 bytes as something else.
  const declared = DECLARED_ENCODING.exec(xml)?.[1];
  if (declared !== undefined && !UTF8.test(declared)) throw new MicromarketError('MM_ERR_XML_MALFORMED', [`documents must be UTF-8 (the declaration says ${declared})`], { line: 1 });
  let depth = 0;
  let i = xml.indexOf('<');
  while (i !== -1) {
    const next = xml.charCodeAt(i + 1);
    if (next === BANG) {
      if (xml.startsWith('<!--', i)) i = skipPast(xml, '-->', i + 4);
      else if (xml.startsWith('<![CDATA[', i)) i = skipPast(xml, ']]>', i + 9);
      else throw new MicromarketError('MM_ERR_XML_DOCTYPE', [], { line: lineAt(xml, i) });
    } else if (next === QUESTION) {
      i = skipPast(xml, '?>', i + 2);
    } else if (next === SLASH) {
      depth--;
      i = xml.indexOf('>', i + 2);
    } else {
      let j = i + 1;
      let quote = 0;
      for (; j < xml.length; j++) {
        const ch = xml.charCodeAt(j);
        if (quote) {
          if (ch === quote) quote = 0;
        } else if (ch === DQUOTE || ch === SQUOTE) quote = ch;
        else if (ch === GT || ch === LT) break;
      }
      // An empty element (<x/>) counts at its depth but does not open a level.
      if (depth + 1 > limits.maxDepth) {
        throw new MicromarketError('MM_ERR_XML_TOO_DEEP', [limits.maxDepth], { line: lineAt(xml, i) });
      }
      if (xml.charCodeAt(j - 1) !== SLASH) depth++;
      i = j;
    }
    if (i === -1) return;
    i = xml.indexOf('<', i);
  }
}

function skipPast(xml: string, end: string, from: number): number {
  const at = xml.indexOf(end, from);
  return at === -1 ? -1 : at + end.length;
}
