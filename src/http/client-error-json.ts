// What the preview's listener answers to a request Node cannot parse (a malformed request line, headers
// too large, a request that took too long to arrive): Node's own answer is an empty text body; the
// preview answers every refusal as JSON with a code, these too. Written on the socket, as Node's
// 'clientError' event gives no response object.
import { STATUS_CODES } from './node-http.ts';
import type { Duplex } from 'node:stream';
import type { HttpErrorCode } from './body.ts';

function answerOf(code: string | undefined): [number, HttpErrorCode, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'HEADERS_TOO_LARGE', 'request headers too large'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'REQUEST_TIMEOUT', 'the request did not arrive in time'];
  return [400, 'BAD_REQUEST', 'malformed HTTP request'];
}

export function clientErrorJson(err: Error & { code?: string }, socket: Duplex): void {
  const started = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (err.code === 'ECONNRESET' || !socket.writable || started) {
    socket.destroy();
    return;
  }
  const [status, code, message] = answerOf(err.code);
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
