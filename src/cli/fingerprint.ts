import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { request as plainRequest } from 'node:http';
import { TokenService } from '../auth/tokens.js';
import { UsageError, type Command } from './command.js';
import { partyOption, scopeList } from './token.js';

/** POSTs JSON, trusting `ca` for an HTTPS service with its own CA; resolves with the status and body. */
function postJson(url: URL, body: unknown, token: string, ca: Buffer | undefined): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? request : plainRequest;
    const req = send(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, ...(ca ? { ca } : {}) }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

export const fingerprintCommand: Command = {
  name: 'fingerprint',
  summary: 'map a VEN\'s TLS client certificate to its party (operators)',
  usage: `Usage: micromarket fingerprint --cert FILE --party ID --scope SCOPE[,SCOPE...] [--url URL] [--server-ca FILE] [--data DIR]

Provisions a client certificate before its VEN first connects: reads the certificate (PEM), computes its
SHA-256 fingerprint and maps it to the party on the running service (POST /oauth/fingerprints), with an
operator token signed by the service's key in the data directory. A request made with that certificate
is then the party's, with these scopes; no bearer token is needed.

Options:
  --cert FILE        the VEN's client certificate (PEM)
  --party ID         the party (venID) it stands for
  --scope LIST       comma-separated scopes, e.g. register,report
  --url URL          the service (default: https://127.0.0.1:8080)
  --server-ca FILE   CA that issued the service's own certificate (PEM), if not publicly trusted
  --data DIR         data directory (default: $MICROMARKET_DATA or ./data)
  -h, --help         show this help`,
  options: { cert: { type: 'string' }, party: { type: 'string' }, scope: { type: 'string' }, url: { type: 'string' }, 'server-ca': { type: 'string' }, data: { type: 'string' } },
  allowPositionals: false,
  async run(values) {
    if (!values.cert) throw new UsageError('fingerprint needs --cert FILE and --party ID');
    const party = partyOption('fingerprint', values.party);
    const scopes = scopeList('fingerprint', values.scope);
    const fingerprint = new X509Certificate(await readFile(String(values.cert))).fingerprint256;
    const tokens = await TokenService.forDataDir(String(values.data ?? process.env.MICROMARKET_DATA ?? './data'));
    const token = await tokens.issue('operator', ['operator'], Date.now(), 60);
    const ca = values['server-ca'] === undefined ? undefined : await readFile(String(values['server-ca']));
    const url = new URL('/oauth/fingerprints', String(values.url ?? 'https://127.0.0.1:8080'));
    const { status, text } = await postJson(url, { fingerprint, partyID: party, scopes }, token, ca);
    if (status !== 201) {
      process.stderr.write(`micromarket: the service refused the mapping (${status}): ${text}\n`);
      return 1;
    }
    process.stdout.write(`${fingerprint} → ${party} (${scopes.join(', ')})\n`);
    return 0;
  },
};
