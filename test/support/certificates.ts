import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type Service } from '../../src/service/index.js';
import { rulesDir } from './markets.js';

/** A client certificate to make: its file name, subject CN and key (`rsa:2048`, or `ec` for a P-256 key). */
export interface ClientSpec {
  readonly name: string;
  readonly cn: string;
  readonly key?: 'rsa:2048' | 'ec';
}

/**
 * Makes, with openssl in `dir`, a CA, a server certificate for 127.0.0.1 and the client certificates
 * asked for, all issued by the CA; returns every PEM by file name (ca.pem, server.pem/.key, NAME.pem/.key).
 */
async function makeCertificates(dir: string, clients: readonly ClientSpec[]): Promise<Record<string, Buffer>> {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=micromarket test CA');
  const specs = [{ name: 'server', cn: '127.0.0.1', ext: 'subjectAltName=IP:127.0.0.1', key: 'rsa:2048' },
    ...clients.map((c) => ({ name: c.name, cn: c.cn, ext: 'extendedKeyUsage=clientAuth', key: c.key ?? 'rsa:2048' }))];
  for (const { name, cn, ext, key } of specs) {
    await writeFile(join(dir, `${name}.ext`), `${ext}\n`);
    const newkey = key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', key];
    ssl('req', ...newkey, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }
  const pem: Record<string, Buffer> = {};
  for (const f of ['ca.pem', ...specs.flatMap((s) => [`${s.name}.pem`, `${s.name}.key`])]) pem[f] = await readFile(join(dir, f));
  return pem;
}

/** POSTs over HTTPS trusting `ca`, presenting a client certificate when given one. */
export function httpsPost(url: string, body: string, headers: Record<string, string>, tls: { ca: Buffer; cert?: Buffer; key?: Buffer }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, ...tls }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A service speaking HTTPS with client certificates from a test CA, in its own temporary directory. */
export interface TlsService {
  readonly dir: string;
  readonly service: Service;
  readonly base: string;
  readonly pem: Record<string, Buffer>;
  close(): Promise<void>;
}

export async function tlsService(clients: readonly ClientSpec[]): Promise<TlsService> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-tls-'));
  const pem = await makeCertificates(dir, clients);
  const service = await startService({ dataDir: join(dir, 'data'), rulesDir, gateTickMs: 0, tls: { cert: pem['server.pem']!, key: pem['server.key']!, ca: pem['ca.pem']! } });
  const base = await service.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    dir, service, base, pem,
    async close() {
      await service.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
