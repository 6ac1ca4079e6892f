/**
 * Debian's Chromium driven by playwright-core, with the flags docs/test-environment.md §2 lists;
 * never a browser Playwright downloads. Screenshots go to test-results/ (ignored by git).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, timeout: 30_000 });
}

/** Where a test's screenshot goes: test-results/<name>.png. */
export function screenshotPath(name: string): string {
  const dir = resolve(import.meta.dirname, '../../../test-results');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
