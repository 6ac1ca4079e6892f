/**
 * Builds the sandbox's browser code in memory when the sandbox starts: the Unified Interface
 * stand-in (Preact, an ES module), msdyn_ciLibrary.js (a classic script, as Dynamics serves
 * it) and the customer phone (Preact and JsSIP, an ES module). esbuild bundles both in well under a second, so there is no build step to run and no
 * output that can go stale; production deployments, which run no sandbox, never load esbuild.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface UiBundle {
  /** The pages: an ES module. */
  appJs: string;
  /** Microsoft.CIFramework 1.0: a classic script. */
  libraryJs: string;
  /** The customer phone page: an ES module. */
  customerPhoneJs: string;
  css: string;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

let building: Promise<UiBundle> | undefined;

/** The bundle, built once per process. */
export function loadUiBundle(): Promise<UiBundle> {
  building ??= build().catch((error: unknown) => {
    building = undefined;
    throw error;
  });
  return building;
}

async function build(): Promise<UiBundle> {
  const esbuild = await import('esbuild');
  const common = { bundle: true, write: false, charset: 'utf8', legalComments: 'none', logLevel: 'silent' } as const;
  const [app, library, customerPhone, css] = await Promise.all([
    esbuild.build({ ...common, entryPoints: [here('./ui/main.ts')], format: 'esm', target: 'es2022' }),
    esbuild.build({ ...common, entryPoints: [here('./cif/library-entry.ts')], format: 'iife', target: 'es2020' }),
    esbuild.build({ ...common, entryPoints: [here('./customer-phone/main.ts')], format: 'esm', target: 'es2022', minify: true }),
    readFile(here('./ui/sandbox.css'), 'utf8'),
  ]);
  return { appJs: outputText(app), libraryJs: outputText(library), customerPhoneJs: outputText(customerPhone), css };
}

/** The text of a build's one output file (write: false keeps it in memory). */
function outputText(result: { outputFiles: ReadonlyArray<{ text: string }> }): string {
  const [file] = result.outputFiles;
  if (file === undefined) throw new Error('esbuild produced no output file');
  return file.text;
}
