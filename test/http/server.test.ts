import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type Service } from '../../src/service/index.js';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { rulesDir } from '../support/markets.js';
import { schemaSet } from '../support/schemas.js';

const tender = readFileSync(new URL('../fixtures/valid/eiCreateTender.xml', import.meta.url), 'utf8');
let app: FastifyInstance;
let service: Service;
let base = '';
let dir = '';
const pipeline = new XmlPipeline(schemaSet());

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mm-http-'));
  service = await startService({ dataDir: dir, rulesDir, gateTickMs: 0 });
  app = service.app;
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await service.close();
  await rm(dir, { recursive: true, force: true });
});

const postXml = (path: string, body: string, type = 'application/xml') =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

async function eiResponse(res: Response): Promise<{ code: string; description: string; requestID: string; xml: string }> {
  const xml = await res.text();
  const read = pipeline.read(Buffer.from(xml));
  if (read.name !== 'eiResponse') throw new Error(`expected eiResponse, got ${read.name}`);
  return { code: read.body.responseCode, description: read.body.responseDescription ?? '', requestID: read.body.requestID, xml };
}

describe('HTTP shell over a real socket', () => {
  it('reports health with the store state', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    const bundled = readdirSync(new URL('../../xsd/', import.meta.url)).filter((f) => f.endsWith('.xsd')).length;
    expect(await res.json()).toMatchObject({ status: 'ok', store: { kind: 'embedded', ok: true }, schemas: { files: bundled },
      markets: [{ id: 'district-heat' }, { id: 'feeder-7' }, { id: 'home' }] });
  });

  it('validates a tender and echoes its requestID in a schema-valid eiResponse', async () => {
    const res = await postXml('/xml/validate', tender, 'application/xml; charset=utf-8');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/xml');
    expect(await eiResponse(res)).toMatchObject({ code: '200', description: 'valid eiCreateTender', requestID: 'req-1' });
  });

  it('accepts text/xml too', async () => {
    expect((await postXml('/xml/validate', tender, 'text/xml')).status).toBe(200);
  });

  it('answers an invalid document with 400, the line, the reason and the requestID, and no stack', async () => {
    const res = await postXml('/xml/validate', tender.replace('>buy<', '>both<'));
    expect(res.status).toBe(400);
    const answer = await eiResponse(res);
    expect(answer).toMatchObject({ code: '400', requestID: 'req-1' });
    expect(answer.description).toMatch(/^MM_ERR_XML_INVALID: line 24: not valid: Element 'emix:side'/);
    expect(answer.xml).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });

  it('refuses a DOCTYPE with 400 before parsing', async () => {
    const res = await postXml('/xml/validate', '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<x>&a;</x>');
    expect(res.status).toBe(400);
    expect((await eiResponse(res)).description).toBe('MM_ERR_XML_DOCTYPE: line 2: DOCTYPE and entity declarations are not accepted');
  });

  it('refuses a body over the limit with 413 in the EI form', async () => {
    const res = await postXml('/xml/validate', tender.replace('<pyld:requestID>', `<!--${'x'.repeat(1_100_000)}--><pyld:requestID>`));
    expect(res.status).toBe(413);
    expect((await eiResponse(res)).code).toBe('413');
  });

  it('refuses a chunked body over the limit with 413 naming the limit (the body declares no length)', async () => {
    const chunk = new TextEncoder().encode(`<x>${'y'.repeat(64 * 1024)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 20) controller.enqueue(chunk); // 1.25 MiB in all, over the 1 MiB limit
        else controller.close();
      },
    });
    const res = await fetch(`${base}/xml/validate`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect((await eiResponse(res)).description).toBe('MM_ERR_XML_TOO_LARGE: body of more than 1048576 bytes exceeds the limit of 1048576 bytes');
  });

  it('answers dashboard asset names that are properties of every object with 404, not 500', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const res = await fetch(`${base}/dashboard/assets/${name}`);
      expect(res.status, name).toBe(404);
    }
    expect((await fetch(`${base}/dashboard/assets/dashboard.js`)).status).toBe(200);
  });

  it('refuses JSON, and a POST without a body, with 415', async () => {
    const json = await postXml('/xml/validate', '{"a":1}', 'application/json');
    expect(json.status).toBe(415);
    expect((await eiResponse(json)).description).toContain('MM_ERR_HTTP_CONTENT_TYPE');
    const empty = await fetch(`${base}/xml/validate`, { method: 'POST' });
    expect(empty.status).toBe(415);
  });

  it('refuses a body it would have to decode (415), or one whose declaration names another encoding (400), rather than read it as plain', async () => {
    const gzip = await fetch(`${base}/xml/validate`, { method: 'POST', headers: { 'content-type': 'application/xml', 'content-encoding': 'gzip' }, body: tender });
    expect(gzip.status).toBe(415);
    expect((await eiResponse(gzip)).description).toBe('MM_ERR_HTTP_CONTENT_ENCODING: content encoding gzip is not accepted; send the body as it is (identity)');
    const utf16 = await postXml('/xml/validate', tender, 'application/xml; charset=utf-16');
    expect(utf16.status).toBe(415);
    expect((await eiResponse(utf16)).description).toBe('MM_ERR_HTTP_CHARSET: charset utf-16 is not accepted; send UTF-8');
    const declared = await postXml('/xml/validate', tender.replace('encoding="UTF-8"', 'encoding="UTF-16"'));
    expect(declared.status).toBe(400);
    expect((await eiResponse(declared)).description).toBe('MM_ERR_XML_MALFORMED: line 1: not well-formed: documents must be UTF-8 (the declaration says UTF-16)');
    // What is plainly UTF-8 passes, however it is labelled.
    for (const type of ['application/xml; charset=UTF-8', 'text/xml; charset="utf-8"', 'application/xml; charset=us-ascii']) {
      expect((await postXml('/xml/validate', tender, type)).status, type).toBe(200);
    }
    expect((await fetch(`${base}/xml/validate`, { method: 'POST', headers: { 'content-type': 'application/xml', 'content-encoding': 'identity' }, body: tender })).status).toBe(200);
  });

  it('answers unknown XML paths with an EI 404 and other paths with JSON', async () => {
    const ei = await postXml('/xml/nothing', tender);
    expect(ei.status).toBe(404);
    expect((await eiResponse(ei)).code).toBe('404');
    const other = await fetch(`${base}/nothing`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ code: 'MM_ERR_HTTP_NOT_FOUND' });
  });

  it('keeps serving after a burst of bad requests', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => postXml('/xml/validate', i % 2 ? '<broken' : '<!DOCTYPE x><x/>')));
    expect((await postXml('/xml/validate', tender)).status).toBe(200);
  });
});
