// The two fields an answer to an AdmissionReview must echo, apiVersion and request.uid, read from the
// raw body without parsing it: one pass over the bytes, allocating nothing but the two values, stopping
// once both are found. The main thread uses it only when it answers a large review itself (the
// admission worker is busy, or ran out of time or memory), so a huge body never costs it a JSON.parse.
// The API server writes both near the start (kind, apiVersion, then request with uid first) and each
// once, so the scan ends within a few hundred bytes; a hand-made review that puts them after megabytes
// costs one pass (about 4 ns a byte, 25 ms at the 6 MiB cap). Unlike JSON.parse, which takes the last
// of a repeated key, this takes the first: only a hand-made review repeats them, and it gets a refusal
// either way. On a body that is not JSON it returns what it found.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
// an escaped key longer than this cannot spell one we look for ("apiVersion" as \uXXXX: 60 bytes)
const MAX_ESCAPED_KEY = 64;

// whitespace and commas: nothing to do
const SKIP = new Uint8Array(256);
for (const c of [0x20, 0x0a, 0x0d, 0x09, 0x2c]) SKIP[c] = 1;

export interface ReviewHead {
  apiVersion?: string;
  uid?: string;
}

const bytes = (s: string) => Buffer.from(s, 'utf8');
const API_VERSION = bytes('apiVersion');
const REQUEST = bytes('request');
const UID = bytes('uid');

/** Index of the quote that closes the string opening at `start - 1` (or body.length). */
function stringEnd(body: Buffer, start: number): number {
  for (let i = start; i < body.length; i++) {
    const c = body[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH) i++;
  }
  return body.length;
}

function isKey(body: Buffer, start: number, end: number, name: Buffer): boolean {
  const len = end - start;
  if (len === name.length) return body.compare(name, 0, len, start, end) === 0;
  if (len > MAX_ESCAPED_KEY) return false;
  return decode(body, start, end) === name.toString();
}

function decode(body: Buffer, start: number, end: number): string | undefined {
  const raw = body.toString('utf8', start, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}

const nextNonSpace = (body: Buffer, from: number): number => {
  let i = from;
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++;
  return i;
};

export function reviewHead(bytes: Uint8Array): ReviewHead {
  const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head: ReviewHead = {};
  let depth = 0;
  let requestDepth = -1; // the depth inside the top-level "request" object, while in it
  let key: 'apiVersion' | 'request' | 'uid' | undefined; // the member whose value comes next
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (SKIP[c] === 1) continue;
    if (c === QUOTE) {
      const end = stringEnd(body, i + 1);
      const after = nextNonSpace(body, end + 1);
      if (body[after] === COLON) {
        key =
          depth === 1 && isKey(body, i + 1, end, API_VERSION)
            ? 'apiVersion'
            : depth === 1 && isKey(body, i + 1, end, REQUEST)
              ? 'request'
              : requestDepth > 1 && depth === requestDepth && isKey(body, i + 1, end, UID)
                ? 'uid'
                : undefined;
        i = after;
        continue;
      }
      if (key === 'apiVersion') head.apiVersion ??= decode(body, i + 1, end);
      else if (key === 'uid') head.uid ??= decode(body, i + 1, end);
      if (head.apiVersion !== undefined && head.uid !== undefined) return head;
      key = undefined;
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (key === 'request' && c === OPEN_OBJECT) requestDepth = depth;
      key = undefined;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth === requestDepth) requestDepth = -1;
      depth--;
    } else {
      key = undefined; // a number, true, false or null: not a string value
    }
  }
  return head;
}
