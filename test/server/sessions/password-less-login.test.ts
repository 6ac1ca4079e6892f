import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../../src/security/password-hash.ts';
import { SessionService } from '../../../src/server/sessions/session-service.ts';
import { openDatabase } from '../../../src/store/database.ts';
import { createExtensionRepository, NO_PASSWORD_HASH } from '../../../src/store/extension-repository.ts';
import { createSessionRepository } from '../../../src/store/session-repository.ts';

test('an extension without a password refuses every password after the same scrypt work as one with a password', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'callpane-sso-only-'));
  const db = openDatabase(dir);
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const extensions = createExtensionRepository(db);
  extensions.add({ number: '2001', displayName: 'Dana Agent', email: 'dana@example.com', passwordHash: NO_PASSWORD_HASH, sipSecret: 'sip-secret-2001' });
  extensions.add({ number: '2002', displayName: 'Eli Agent', email: 'eli@example.com', passwordHash: await hashPassword('eli password'), sipSecret: 'sip-secret-2002' });
  // Generous limits: this test counts time, not lockouts.
  const policy = { limit: 100, windowMs: 60_000, banMs: 60_000 };
  const service = new SessionService({ sessions: createSessionRepository(db), extensions, loginFailurePolicy: policy, accountLockoutPolicy: policy });

  const fastest = async (login: string, password: string): Promise<number> => {
    let best = Infinity;
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = performance.now();
      assert.deepEqual(await service.login(login, password, '127.0.0.1'), { ok: false, reason: 'wrong-password' });
      best = Math.min(best, performance.now() - started);
    }
    return best;
  };
  const withoutPassword = await fastest('dana@example.com', NO_PASSWORD_HASH);
  const withPassword = await fastest('eli@example.com', 'not eli password');
  t.diagnostic(`fastest refusal: ${withoutPassword.toFixed(1)} ms without a password, ${withPassword.toFixed(1)} ms with one`);
  // A shortcut would answer in well under a millisecond, a scrypt check in tens: a quarter is far from both.
  assert.ok(withoutPassword > withPassword / 4, 'the refusal does not tell a password-less extension apart by its speed');
});
