/**
 * Messages micromarket itself sends: quotes to EI subscribers, OpenADR messages to push VENs.
 * Each POST is bounded by a timeout, so a slow or dead receiver costs at most that long.
 */
export async function postXml(url: string, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/xml' }, body, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, text: await res.text() };
}
