/**
 * Content codings for bytes that never change while the process runs (the pane's bundle):
 * compressed once with Brotli (RFC 7932) and gzip (RFC 1952) at their best settings, then chosen
 * per request from Accept-Encoding (RFC 9110 §12.5.3) with its q-values. Compression runs on
 * libuv's thread pool, so precompressing at start never holds the event loop.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/** The codings offered, in the server's order of preference when the client weighs them alike. */
export const CONTENT_CODINGS = ['br', 'gzip', 'identity'] as const;
export type ContentCoding = (typeof CONTENT_CODINGS)[number];

export type Precompressed = Readonly<Record<ContentCoding, Buffer>>;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

export async function precompress(body: Buffer): Promise<Precompressed> {
  const [br, gz] = await Promise.all([
    brotli(body, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
    gzipAsync(body, { level: constants.Z_BEST_COMPRESSION }),
  ]);
  return { br, gzip: gz, identity: body };
}

/** RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ). */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** The q-value of each coding listed; an element with a malformed weight is ignored. */
function weights(acceptEncoding: string): Map<string, number> {
  const listed = new Map<string, number>();
  for (const element of acceptEncoding.split(',')) {
    const [name, ...params] = element.split(';').map((part) => part.trim());
    if (!name) continue;
    let q = 1;
    let malformed = false;
    for (const param of params) {
      const [key = '', value = ''] = param.split('=').map((part) => part.trim());
      if (key.toLowerCase() !== 'q') continue;
      if (QVALUE.test(value)) q = Number(value);
      else malformed = true;
    }
    // §8.4.1.3: x-gzip is gzip.
    const coding = name.toLowerCase() === 'x-gzip' ? 'gzip' : name.toLowerCase();
    if (!malformed) listed.set(coding, Math.max(q, listed.get(coding) ?? 0));
  }
  return listed;
}

/**
 * The coding to send for this Accept-Encoding (RFC 9110 §12.5.3): the highest q-value wins, the
 * order of CONTENT_CODINGS breaks ties. No header means no stated wish, and an empty one asks
 * for none: both get identity. identity is acceptable unless `identity;q=0`, or `*;q=0` with no
 * entry for identity, excludes it; when nothing offered is acceptable the response is sent
 * uncoded all the same, which §12.1 allows instead of a 406.
 */
export function negotiateContentCoding(acceptEncoding: string | undefined): ContentCoding {
  if (acceptEncoding === undefined || acceptEncoding.trim() === '') return 'identity';
  const listed = weights(acceptEncoding);
  const star = listed.get('*');
  let best: ContentCoding = 'identity';
  let bestQ = 0;
  for (const coding of CONTENT_CODINGS) {
    // An identity not listed stays acceptable, but after every coding the client did list.
    const q = listed.get(coding) ?? star ?? (coding === 'identity' ? Number.MIN_VALUE : 0);
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  return best;
}
