/**
 * The sandbox as the org the Web API client talks to: its Dataverse and its token endpoint on
 * 127.0.0.1, one application registered with a secret (and, when asked, a certificate), every
 * request seen by the test (`seen`), and answers the test puts in front of the sandbox's own
 * (`faults`): a status with headers, or no answer at all until the client gives up.
 */
import type { FastifyRequest } from 'fastify';
import { Dataverse, SANDBOX_TENANT_ID, TOKEN_PATH } from '../../../src/sandbox/dataverse/index.ts';
import { createSandboxServer, type SandboxServer } from '../../../src/sandbox/sandbox-server.ts';
import { createLogger } from '../../../src/server/logger.ts';
import type { StructuredLogger } from '../../../src/logging/structured-logger.ts';

export const APP = { clientId: '0a9c0000-0000-4000-8000-00000000c11e', clientSecret: 'client-credentials-secret~1' };

export interface Fault {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Never answer: the request hangs until the client aborts it. */
  hang?: boolean;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: FastifyRequest['headers'];
}

export interface SandboxOrg {
  origin: string;
  tokenUrl: string;
  dataverse: Dataverse;
  sandbox: SandboxServer;
  /** Requests to the Web API, in order. */
  seen: SeenRequest[];
  /** Token requests, in order. */
  tokenRequests: SeenRequest[];
  /** Answered instead of the sandbox, one per Web API request, in order. */
  faults: Fault[];
  /** Web API requests being answered right now, and the most at once so far. */
  concurrency: { now: number; max: number };
  close(): Promise<void>;
}

export interface SandboxOrgOptions {
  /** PEM certificate registered for APP besides its secret. */
  certificate?: string;
  tokenLifetimeSeconds?: number;
  /** Milliseconds the sandbox takes for each Web API answer (to see concurrency). */
  answerDelayMs?: number;
}

export async function startSandboxOrg(options: SandboxOrgOptions = {}): Promise<SandboxOrg> {
  const dataverse = new Dataverse({ path: ':memory:' });
  const client = options.certificate === undefined ? APP : { ...APP, certificate: options.certificate };
  const sandbox = createSandboxServer({
    host: '127.0.0.1',
    port: 0,
    dataverse,
    logger: createLogger({ level: 'silent', pretty: false }),
    dataverseRoutes: { oauth: { clients: [client], tokenLifetimeSeconds: options.tokenLifetimeSeconds } },
  });
  const seen: SeenRequest[] = [];
  const tokenRequests: SeenRequest[] = [];
  const faults: Fault[] = [];
  const concurrency = { now: 0, max: 0 };
  sandbox.app.addHook('onRequest', async (request, reply) => {
    const entry = { method: request.method, url: request.url, headers: request.headers };
    if (request.url.endsWith(TOKEN_PATH)) tokenRequests.push(entry);
    if (!request.url.startsWith('/api/data/')) return;
    seen.push(entry);
    concurrency.now++;
    concurrency.max = Math.max(concurrency.max, concurrency.now);
    request.raw.once('close', () => concurrency.now--);
    if (options.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, options.answerDelayMs));
    const fault = faults.shift();
    if (!fault) return;
    if (fault.hang) {
      await new Promise((resolve) => request.raw.once('close', resolve));
      return reply.hijack();
    }
    await reply
      .code(fault.status ?? 500)
      .headers({ 'content-type': 'application/json; odata.metadata=minimal', 'x-ms-service-request-id': `fault-${seen.length}`, ...fault.headers })
      .send(fault.body ?? { error: { code: '0x80040216', message: `injected ${fault.status ?? 500}` } });
  });
  const origin = await sandbox.listen();
  return {
    origin,
    tokenUrl: `${origin}/${SANDBOX_TENANT_ID}${TOKEN_PATH}`,
    dataverse,
    sandbox,
    seen,
    tokenRequests,
    faults,
    concurrency,
    async close() {
      await sandbox.close();
      dataverse.close();
    },
  };
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A StructuredLogger that keeps its lines, with the bindings of its children merged in. */
export function recordingLogger(lines: LogLine[] = [], bindings: Record<string, unknown> = {}): StructuredLogger & { lines: LogLine[] } {
  const write = (level: LogLine['level']) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields: { ...bindings, ...fields }, message });
  return {
    lines,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}
