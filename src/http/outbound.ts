import { hostname } from 'node:os';

/** Which instance sent a message (host/pid), so an operator running several can tell. */
export const INSTANCE = `${hostname()}/${process.pid}`;

/**
 * Messages micromarket itself sends: quotes to EI subscribers, OpenADR messages to push VENs.
 * Each POST is bounded by a timeout, so a slow or dead receiver costs at most that long.
 */
export async function postXml(url: string, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/xml', 'x-micromarket-instance': INSTANCE }, body,
    signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, text: await res.text() };
}
