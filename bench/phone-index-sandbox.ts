/**
 * The sandbox Dataverse for the phone index bench, run as its own process so that its rows, its
 * SQLite and its JSON serialising never share the measured process: `--records` synthetic
 * records (60 % contacts, 20 % accounts, 20 % leads) in an in-memory database, each with one to
 * three numbers in the eight seed countries typed the ways people type them (seed-phones.ts),
 * its address country, and the Web API with a client-credentials app (`--client-id`,
 * `--client-secret`) on 127.0.0.1. Prints `ready {origin}`, then `sample {json}`: `--sample`
 * stored numbers, each with its E.164 form and record, for the bench to look up. A `change {n}`
 * line on stdin gives the first n sampled records a new telephone3, as users editing them would
 * (the bench's app user may only read), and answers `changed {n}`. Stops on SIGTERM.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { fastify } from 'fastify';
import { Dataverse, registerDataverseRoutes } from '../src/sandbox/dataverse/index.ts';
import { COUNTRY_NAMES } from '../src/sandbox/dataverse/seed-generator.ts';
import { COUNTRIES, e164, PLACES, typed, withExtension, type PhoneNumber } from '../src/sandbox/dataverse/seed-phones.ts';
import { SeedRandom } from '../src/sandbox/dataverse/seed-random.ts';

export interface SampleNumber {
  /** As a trunk presents it. */
  e164: string;
  /** As the record stores it. */
  stored: string;
  entity: 'contact' | 'account' | 'lead';
  id: string;
}

const { values } = parseArgs({
  options: { records: { type: 'string' }, sample: { type: 'string' }, 'client-id': { type: 'string' }, 'client-secret': { type: 'string' } },
});
const records = Number(values.records ?? 1_000_000);
const sampleSize = Number(values.sample ?? 2000);
const clientId = values['client-id'] ?? '';
const clientSecret = values['client-secret'] ?? '';

const random = new SeedRandom(20261207);
const dataverse = new Dataverse({ path: ':memory:', seed: false });

/** A number at a random place of `country`, its subscriber digits random (the seed's fiction ranges hold too few for a million). */
function randomNumber(): PhoneNumber {
  const country = random.pick(COUNTRIES);
  const place = random.pick(PLACES[country]);
  const line = place.line(random);
  return { country, area: place.area, line: line.charAt(0) + random.digits(line.length - 1) };
}

const guid = (kind: number, i: number) => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const sample: SampleNumber[] = [];
const every = Math.max(1, Math.floor(records / sampleSize));
const started = performance.now();
for (let i = 0; i < records; i++) {
  const home = randomNumber();
  const country = COUNTRY_NAMES[home.country];
  const first = random.chance(0.1) ? withExtension(random, typed(random, home)) : typed(random, home);
  let entity: SampleNumber['entity'];
  let id: string;
  if (i % 5 < 3) {
    entity = 'contact';
    id = guid(1, i);
    const mobile = random.chance(0.55) ? typed(random, randomNumber()) : null;
    dataverse.create('contacts', {
      contactid: id,
      firstname: 'Pat',
      lastname: `Caller ${i}`,
      telephone1: first,
      mobilephone: mobile,
      telephone2: random.chance(0.1) ? typed(random, randomNumber()) : null,
      address1_country: country,
    });
  } else if (i % 5 === 3) {
    entity = 'account';
    id = guid(2, i);
    dataverse.create('accounts', {
      accountid: id,
      name: `Company ${i}`,
      telephone1: first,
      telephone2: random.chance(0.25) ? typed(random, randomNumber()) : null,
      address1_country: country,
    });
  } else {
    entity = 'lead';
    id = guid(3, i);
    dataverse.create('leads', {
      leadid: id,
      firstname: 'Lee',
      lastname: `Prospect ${i}`,
      telephone1: first,
      mobilephone: random.chance(0.45) ? typed(random, randomNumber()) : null,
      address1_country: country,
    });
  }
  if (i % every === 0 && sample.length < sampleSize) sample.push({ e164: e164(home), stored: first, entity, id });
  if ((i + 1) % 100_000 === 0) process.stderr.write(`sandbox: ${i + 1} records in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

const app = fastify();
registerDataverseRoutes(app, dataverse, { oauth: { clients: [{ clientId, clientSecret }] } });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('the sandbox has no TCP address');
process.stdout.write(`ready http://127.0.0.1:${address.port}\n`);
process.stdout.write(`sample ${JSON.stringify(sample)}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, count] = line.split(' ');
  if (command !== 'change') return;
  const changed = sample.slice(0, Number(count));
  for (const [i, number] of changed.entries()) dataverse.update(`${number.entity}s`, number.id, { telephone3: `+1 212 555 ${String(i % 10000).padStart(4, '0')}` });
  process.stdout.write(`changed ${changed.length}\n`);
});
process.on('SIGTERM', () => {
  void app.close().then(() => {
    dataverse.close();
    process.exit(0);
  });
});
