import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMicromarketError } from '../../src/errors.js';
import { SchemaSet } from '../../src/xml/schema-set.js';

/**
 * The official OpenADR 2.0b XSD set (as OpenLEADR ships it): a third oracle, read where the team
 * keeps it and never copied into the repository. MICROMARKET_OADR_XSD names another place; .ci/run
 * sets MICROMARKET_REQUIRE_OADR_XSD when it found the set, so that its absence then fails.
 */
const candidates = [
  process.env.MICROMARKET_OADR_XSD,
  fileURLToPath(new URL('../../../shared/vendor/openadr-2.0b-xsd', import.meta.url)),
];
export const officialDir = candidates.find((dir): dir is string => dir !== undefined && existsSync(join(dir, 'oadr_20b.xsd')));
export const officialMissing = officialDir === undefined && process.env.MICROMARKET_REQUIRE_OADR_XSD !== '1';
if (officialMissing) {
  console.warn('official OpenADR 2.0b schema not found (../shared/vendor/openadr-2.0b-xsd or MICROMARKET_OADR_XSD): its checks are skipped');
}

let compiled: SchemaSet | undefined;
function official(): SchemaSet {
  if (!officialDir) throw new Error('the official OpenADR 2.0b schema is required (MICROMARKET_REQUIRE_OADR_XSD) but was not found');
  return (compiled ??= SchemaSet.load(officialDir, 'oadr_20b.xsd'));
}

/** Why the official set refuses a document ("LINE: reason"), or undefined when it is valid. */
export function officialProblem(xml: string): string | undefined {
  try {
    official().validate(Buffer.from(xml));
    return undefined;
  } catch (error) {
    if (!isMicromarketError(error)) throw error;
    return `${error.line ?? 0}: ${error.reason}`;
  }
}

/** What the official set refused among the OpenADR messages exchanged since the last `takeViolations`. */
const violations: string[] = [];
let watching = false;

const textOf = (body: unknown): string | undefined =>
  typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : undefined;
const isOadr = (text: string | undefined): text is string => text !== undefined && text.includes('oadrPayload');

/**
 * Checks every OpenADR message this test process sends or receives over fetch (test helpers, the
 * SDK's VEN, the service's pushes) against the official set: every answer, and every request the
 * receiver's schema accepted (not answered 400). Installed once per process.
 */
export function watchOpenAdr(): void {
  if (watching || officialMissing) return;
  watching = true;
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const sent = textOf(init?.body);
    const res = await original(input, init);
    const url = String(input instanceof Request ? input.url : input);
    if (!isOadr(sent) && !url.includes('/OpenADR2/')) return res;
    const answer = await res.clone().text();
    const check = (what: string, xml: string) => {
      const problem = officialProblem(xml);
      if (problem) violations.push(`${what} ${url}: ${problem}\n${xml.slice(0, 2000)}`);
    };
    // OpenADR answers with HTTP 200 and the outcome in responseCode: 400 is a schema refusal (nothing accepted).
    const refusedBySchema = res.status !== 200 || /<(?:\w+:)?responseCode>400</.test(answer);
    if (isOadr(sent) && !refusedBySchema) check('request to', sent);
    if (isOadr(answer)) check('answer from', answer);
    return res;
  };
}

/** The violations seen so far, cleared. */
export function takeViolations(): string[] {
  return violations.splice(0);
}
