/**
 * The header that marks a request as the pane's own (`X-Callpane-Client: pane`). The server lets
 * the session cookie count only with it: a custom header forces a same-origin script (a CORS
 * preflight otherwise), so no other site can ride the cookie. Header names are case-insensitive
 * (RFC 9110 §5.1); Node hands them to the server in lower case.
 */
export const PANE_CLIENT_HEADER = 'X-Callpane-Client';
export const PANE_CLIENT_VALUE = 'pane';
