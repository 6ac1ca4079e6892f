/**
 * GET /api/settings: the caller's settings (defaults until they save). PUT /api/settings: the
 * whole object, validated (a 400 names the first wrong field), saved and answered as stored.
 */
import type { FastifyInstance } from 'fastify';
import type { SettingsRepository } from '../../store/settings-repository.ts';
import { requireSession } from '../sessions/session-auth.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { parseInput } from './parse-input.ts';
import { readUserSettings, UserSettingsSchema } from './user-settings.ts';

/** 500 remembered choices with long CJK names and JSON escapes fit with room to spare. */
export const SETTINGS_BODY_LIMIT = 512 * 1024;

export function registerSettingsRoutes(app: FastifyInstance, sessions: SessionService, settings: SettingsRepository, now: () => number = Date.now): void {
  app.get('/settings', async (request) => {
    const { user } = requireSession(request, sessions);
    return readUserSettings(settings.get(user.number)?.value);
  });

  app.put('/settings', { bodyLimit: SETTINGS_BODY_LIMIT }, async (request) => {
    const { user } = requireSession(request, sessions);
    const saved = parseInput(UserSettingsSchema, request.body, 'body');
    settings.put(user.number, saved, now());
    return saved;
  });
}
