/**
 * Runs the whole suite with Node's test runner. As root on Linux the run moves into a fresh
 * network namespace that holds only loopback, so no test (and no RFC 4475 vector naming
 * 192.0.2.x or example.com) can make Callpane send anything off this machine. Elsewhere every
 * test still binds and advertises 127.0.0.1 only.
 */
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';
import { enterLoopbackNamespace } from './loopback-namespace.ts';

enterLoopbackNamespace('run-tests');

const patterns = process.argv.slice(2);
const files = patterns.length > 0 ? patterns : globSync('test/**/*.test.ts').sort();
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=120000', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
