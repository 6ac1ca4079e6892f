/** A self-signed RSA certificate and its key, as an app registration's certificate credential would be. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AppCertificate {
  cert: string;
  key: string;
}

export function appCertificate(type: 'rsa' | 'ec' = 'rsa'): AppCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'callpane-app-cert-'));
  const newkey = type === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  try {
    execFileSync('openssl', ['req', '-x509', ...newkey, '-nodes', '-subj', '/CN=callpane-dynamics', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], {
      stdio: 'ignore',
      timeout: 20_000,
    });
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
