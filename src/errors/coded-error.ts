/**
 * The one base of Callpane's own errors. Callers branch on `code`, never on the message text,
 * which is for people. Each layer lists its codes in one file as a const object (the model is
 * Fastify's lib/errors.js): SCREAMING_SNAKE values prefixed by what they are about
 * (`SIP_PARSE_…`, `DIGEST_…`, `MEDIA_RELAY_…`, `NG_…`, `CRM_…`), except where the value is a
 * wire contract another party matches (the web API's codes, Dataverse's and Entra's), which keep
 * the value that party expects.
 *
 * This folder imports nothing, so every layer (the SIP core, the pure CRM mapping, the pane)
 * may build on it without reaching into another layer.
 */
export abstract class CodedError<C extends string> extends Error {
  /**
   * Each subclass names itself with a string literal: the pane's bundle is minified, so a name
   * read from the constructor (`new.target.name`) would not survive there.
   */
  abstract override readonly name: string;
  readonly code: C;

  constructor(code: C, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
