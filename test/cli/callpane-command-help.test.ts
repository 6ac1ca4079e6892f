/**
 * `callpane <command> --help` prints that command's help for every command the usage lists, and
 * for every group of them, without loading the configuration or touching the data directory: an
 * administrator asks for help precisely when something is wrong.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI, NODE, cleanEnvironment, scratchDirectory, type CliResult } from './cli-fixture.ts';

const scratch = scratchDirectory('callpane-command-help');

async function run(args: string[]): Promise<CliResult> {
  // An invalid configuration: help must answer without reading it.
  const env = { ...cleanEnvironment(), CALLPANE_DATA_DIR: join(scratch(), 'data'), CALLPANE_HTTP_PORT: 'not-a-port' };
  try {
    const { stdout, stderr } = await promisify(execFile)(NODE, [CLI, ...args], { cwd: scratch(), env, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? null, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The commands the usage lists (`ext add`, `config check`, `start`), in order. */
function commandsOf(usage: string): string[] {
  const lines = usage.split('\n');
  const listed = lines.slice(lines.indexOf('Commands:') + 1);
  const commands: string[] = [];
  for (const line of listed) {
    if (line === '') break;
    const command = /^ {2}([a-z]+(?: [a-z]+)?)(?= |$)/.exec(line)?.[1];
    if (command !== undefined) commands.push(command);
  }
  return commands;
}

test('every command and every group of commands in the usage answers --help with its own help, exit 0', async () => {
  const usage = await run(['--help']);
  assert.equal(usage.code, 0, usage.stderr);
  const commands = commandsOf(usage.stdout);
  assert.ok(commands.includes('ext add') && commands.includes('start') && commands.includes('phone match'), commands.join(', '));
  const groups = [...new Set(commands.filter((command) => command.includes(' ')).map((command) => command.split(' ')[0] ?? ''))];
  for (const name of [...commands, ...groups]) {
    const help = await run([...name.split(' '), '--help']);
    assert.equal(help.code, 0, `callpane ${name} --help: ${help.stderr}`);
    assert.match(help.stdout, new RegExp(`^Usage: callpane ${name}\\b`), `callpane ${name} --help printed: ${help.stdout.slice(0, 200)}`);
    assert.equal(help.stderr, '', `callpane ${name} --help wrote to stderr`);
  }
  assert.equal(existsSync(join(scratch(), 'data')), false, 'no command ran');
});
