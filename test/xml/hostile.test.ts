import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { refusal as refusalBy } from '../support/refusal.js';
import { schemaSet } from '../support/schemas.js';

const tender = readFileSync(new URL('../fixtures/valid/eiCreateTender.xml', import.meta.url), 'utf8');
const pipeline = new XmlPipeline(schemaSet(), { maxBytes: 64 * 1024, maxDepth: 32 });

const refusal = (xml: string, p = pipeline) => refusalBy(p, xml);

describe('hostile XML is refused before any parser runs', () => {
  it('refuses an external entity (XXE) with the DOCTYPE line', () => {
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE r [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n<r>&xxe;</r>`;
    const error = refusal(xxe);
    expect(error.code).toBe('MM_ERR_XML_DOCTYPE');
    expect(error.line).toBe(2);
  });

  it('refuses entity expansion (billion laughs) quickly', () => {
    const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) =>
      `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('\n');
    const started = performance.now();
    const error = refusal(`<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${lol}\n]>\n<lolz>&lol9;</lolz>`);
    expect(error.code).toBe('MM_ERR_XML_DOCTYPE');
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('refuses a UTF-16 document (DOCTYPE inside) as not UTF-8, on the line of its first NUL byte, not as an internal error', () => {
    const xml = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x [<!ENTITY a "a">]>\n<x>&a;</x>';
    let error: unknown;
    try {
      pipeline.read(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]));
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'MM_ERR_XML_MALFORMED', line: 1, responseCode: '400' });
    expect((error as Error).message).toContain('documents must be UTF-8');
  });

  it('refuses a DOCTYPE without an internal subset and a DOCTYPE after a comment', () => {
    expect(refusal('<!DOCTYPE html SYSTEM "http://example.org/x.dtd"><x/>').code).toBe('MM_ERR_XML_DOCTYPE');
    expect(refusal('<?xml version="1.0"?>\n<!-- c -->\n<!DOCTYPE x>\n<x/>').line).toBe(3);
  });

  it('does not mistake declarations inside comments, CDATA or attribute values for DOCTYPE', () => {
    const decorated = tender
      .replace('<pyld:requestID>', '<!-- <!DOCTYPE x> --><pyld:requestID>')
      .replace('<emix:uid>t-1-p</emix:uid>', '<emix:uid><![CDATA[<!DOCTYPE[not-a-doctype]>]]></emix:uid>');
    const read = pipeline.read(Buffer.from(decorated));
    expect(read.name === 'eiCreateTender' && read.body.tenders[0]!.product.uid).toBe('<!DOCTYPE[not-a-doctype]>');
  });

  it('refuses nesting deeper than the limit, naming the line and the limit', () => {
    const deep = `<a>\n${'<b>'.repeat(40)}${'</b>'.repeat(40)}</a>`;
    const error = refusal(deep);
    expect(error.code).toBe('MM_ERR_XML_TOO_DEEP');
    expect(error.line).toBe(2);
    expect(error.reason).toContain('32');
  });

  it('counts self-closing elements and quoted ">" correctly when measuring depth', () => {
    const shallow = new XmlPipeline(schemaSet(), { maxDepth: 3 });
    expect(refusal('<a><b x=">"><c/></b></a>', shallow).code).not.toBe('MM_ERR_XML_TOO_DEEP');
    expect(refusal('<a><b x=">"><c><d/></c></b></a>', shallow).code).toBe('MM_ERR_XML_TOO_DEEP');
  });

  it('refuses bodies over the size limit without parsing them', () => {
    const big = tender.replace('<pyld:requestID>', `<!--${'x'.repeat(70 * 1024)}--><pyld:requestID>`);
    const error = refusal(big);
    expect(error.code).toBe('MM_ERR_XML_TOO_LARGE');
    expect(error.status).toBe(413);
  });

  it('accepts the sample tender under the default limits', () => {
    expect(new XmlPipeline(schemaSet()).read(Buffer.from(tender)).name).toBe('eiCreateTender');
  });
});
