/**
 * CSV as RFC 4180 §2 describes it: fields separated by commas, records by CRLF (a bare LF, as
 * Unix tools write, is accepted too); a field in double quotes may hold commas, line breaks and
 * double quotes written twice (`"Smith, ""Jo"""`). Each record keeps the line it starts on, so
 * that an error can name the line an administrator sees in an editor.
 *
 * Written here rather than taken from npm: the grammar is a dozen lines, and what the callers need
 * most, the starting line of every record and an error per malformed line that does not stop the
 * others from being read, is exactly what is least configurable in the libraries.
 */

export interface CsvRecord {
  /** 1-based line the record starts on (a quoted line break makes the next record start later). */
  line: number;
  fields: string[];
}

export interface CsvParse {
  /** Blank lines are not records. */
  records: CsvRecord[];
  /** `line N: …` for each malformed record, which is left out of `records`. */
  errors: string[];
}

/** `text` without a byte order mark (decode it first; TextDecoder drops the mark itself). */
export function parseCsv(text: string): CsvParse {
  const records: CsvRecord[] = [];
  const errors: string[] = [];
  let line = 1;
  let at = 0;
  while (at < text.length) {
    const start = line;
    const fields: string[] = [];
    let error: string | undefined;
    for (;;) {
      let field = '';
      if (text[at] === '"') {
        // §2.5–2.7: a quoted field ends at a quote not followed by another quote.
        at += 1;
        for (;;) {
          const quote = text.indexOf('"', at);
          if (quote === -1) {
            errors.push(`line ${start}: a quoted field is not closed (a double quote is missing)`);
            return { records, errors };
          }
          const chunk = text.slice(at, quote);
          line += countLineBreaks(chunk);
          field += chunk;
          at = quote + 1;
          if (text[at] !== '"') break;
          field += '"';
          at += 1;
        }
        if (at < text.length && text[at] !== ',' && !isRecordEnd(text, at)) {
          error ??= `line ${line}: text after a closing double quote (write a quote inside a quoted field as "")`;
        }
      }
      const end = fieldEnd(text, at);
      const rest = text.slice(at, end);
      if (rest.includes('"')) error ??= `line ${line}: a double quote inside an unquoted field (quote the whole field and write the quote as "")`;
      field += rest;
      at = end;
      fields.push(field);
      if (text[at] === ',') {
        at += 1;
        continue;
      }
      break;
    }
    // At a record end, or at the end of the text.
    if (text[at] === '\r') at += 1;
    if (text[at] === '\n') {
      at += 1;
      line += 1;
    }
    if (error !== undefined) errors.push(error);
    else if (!(fields.length === 1 && fields[0]?.trim() === '')) records.push({ line: start, fields });
  }
  return { records, errors };
}

/** The field quoted when it must be (§2.6), for writing CSV back. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function fieldEnd(text: string, from: number): number {
  for (let at = from; at < text.length; at++) {
    if (text[at] === ',' || isRecordEnd(text, at)) return at;
  }
  return text.length;
}

function isRecordEnd(text: string, at: number): boolean {
  return text[at] === '\n' || (text[at] === '\r' && text[at + 1] === '\n');
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
}
