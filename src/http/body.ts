// Request bodies with a cap: an over-long Content-Length is refused before reading, a stream that
// grows past the cap is no longer kept, so no client can make us buffer more than the cap. (The rest of
// such a body is read and discarded, within a bound, by refuse.ts, so the client sees its 413.)

/** A refusal at the HTTP edge: status, a stable code (the preview answers it as JSON) and a message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: HttpErrorCode = codeFor(status),
  ) {
    super(message);
  }
}

// The edge's codes (the injection's own come from src/core/errors.ts).
export type HttpErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'REQUEST_TIMEOUT'
  | 'HEADERS_TOO_LARGE'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_READY'
  | 'INTERNAL'
  | 'PREVIEW_BUSY'
  | 'PREVIEW_TIMEOUT'
  | 'PREVIEW_OUT_OF_MEMORY'
  | 'PREVIEW_ANSWER_TOO_LARGE';

function codeFor(status: number): HttpErrorCode {
  const byStatus: Record<number, HttpErrorCode> = {
    404: 'NOT_FOUND',
    405: 'METHOD_NOT_ALLOWED',
    408: 'REQUEST_TIMEOUT',
    431: 'HEADERS_TOO_LARGE',
    413: 'BODY_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE',
    503: 'NOT_READY',
    500: 'INTERNAL',
  };
  return byStatus[status] ?? 'BAD_REQUEST';
}

export const MAX_BODY_BYTES = 6 * 1024 * 1024; // Istio's kube.MaxRequestBodyBytes

export interface Readable {
  headers: Record<string, string | string[] | undefined>;
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'close', fn: () => void): unknown;
  on(event: 'error', fn: (e: Error) => void): unknown;
  readableEnded?: boolean;
  destroy(e?: Error): unknown;
}

const tooLarge = (limit: number) => new HttpError(413, `request body is larger than the cap of ${limit} bytes`);

export function readBody(req: Readable, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        chunks.length = 0; // the rest is discarded as it comes
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks, size));
    });
    req.on('close', () => {
      if (done) return;
      done = true;
      reject(new HttpError(400, 'request body was cut off'));
    });
    req.on('error', (e: Error) => {
      if (done) return;
      done = true;
      reject(new HttpError(400, `cannot read request body: ${e.message}`));
    });
  });
}

export function mediaType(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header;
  return (v ?? '').split(';')[0]!.trim().toLowerCase();
}
