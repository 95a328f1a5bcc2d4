// Request bodies with a cap: an over-long Content-Length is refused before reading, a stream that
// grows past the cap is cut off, so no client can make us buffer more than the cap.

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
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

export function readBody(req: Readable, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new HttpError(413, `request body is larger than ${limit} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        reject(new HttpError(413, `request body is larger than ${limit} bytes`));
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
