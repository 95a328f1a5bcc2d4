// Go's encoding/base64 and encoding/base32 (StdEncoding) as sprig's b64enc/b64dec/b32enc/b32dec use them:
// decoding errors become the result text ("illegal base64 data at input byte 4"), with Go's offsets.
import type { GoFunction } from '../value.ts';
import { goFunc, strArg } from './typed.ts';

const utf8 = new TextEncoder();
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const decodeMap = (alphabet: string): Map<number, number> => new Map([...alphabet].map((c, i) => [c.charCodeAt(0), i]));
const B64_MAP = decodeMap(B64);
const B32_MAP = decodeMap(B32);
const PAD = 0x3d;
const isNewline = (b: number | undefined): boolean => b === 0x0a || b === 0x0d;

class CorruptInput extends Error {}
const corrupt = (kind: string, at: number): CorruptInput => new CorruptInput(`illegal ${kind} data at input byte ${at}`);

/** The decoded bytes as a Go string; bytes that are not UTF-8 cannot be a JS string: refused. */
function asString(bytes: number[], fn: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw new Error(`${fn}: the decoded bytes are not UTF-8 (unsupported: Go strings hold any bytes)`);
  }
}

/** base64.Encoding.decodeQuantum: one group of four, skipping newlines; [next index, bytes]. */
function quantum64(src: Uint8Array, start: number): [number, number[]] {
  let si = start;
  const dbuf = [0, 0, 0, 0];
  let dlen = 4;
  let trailing: CorruptInput | undefined;
  for (let j = 0; j < 4; j++) {
    if (si === src.length) {
      if (j === 0) return [si, []];
      throw corrupt('base64', si - j);
    }
    const c = src[si++]!;
    const v = B64_MAP.get(c);
    if (v !== undefined) {
      dbuf[j] = v;
      continue;
    }
    if (isNewline(c)) {
      j--;
      continue;
    }
    if (c !== PAD || j < 2) throw corrupt('base64', si - 1);
    if (j === 2) {
      while (si < src.length && isNewline(src[si])) si++;
      if (si === src.length) throw corrupt('base64', src.length);
      if (src[si] !== PAD) throw corrupt('base64', si - 1);
      si++;
    }
    while (si < src.length && isNewline(src[si])) si++;
    if (si < src.length) trailing = corrupt('base64', si);
    dlen = j;
    break;
  }
  const val = (dbuf[0]! << 18) | (dbuf[1]! << 12) | (dbuf[2]! << 6) | dbuf[3]!;
  const out = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff].slice(0, dlen - 1);
  if (trailing) throw trailing;
  return [si, out];
}

function b64dec(s: string): string {
  const src = utf8.encode(s);
  const out: number[] = [];
  try {
    for (let si = 0; si < src.length; ) {
      const [next, bytes] = quantum64(src, si);
      out.push(...bytes);
      si = next;
    }
  } catch (e) {
    if (e instanceof CorruptInput) return e.message;
    throw e;
  }
  return asString(out, 'b64dec');
}

/** base32.Encoding.decode on the input with newlines stripped (as DecodeString does). */
function b32dec(s: string): string {
  const src = utf8.encode(s).filter((b) => !isNewline(b));
  const olen = src.length;
  const out: number[] = [];
  let pos = 0;
  const left = () => olen - pos;
  try {
    for (let end = false; left() > 0 && !end; ) {
      const dbuf = [0, 0, 0, 0, 0, 0, 0, 0];
      let dlen = 8;
      for (let j = 0; j < 8; ) {
        if (left() === 0) throw corrupt('base32', olen - j);
        const c = src[pos++]!;
        if (c === PAD && j >= 2 && left() < 8) {
          if (left() + j < 7) throw corrupt('base32', olen);
          for (let k = 0; k < 7 - j; k++) if (left() > k && src[pos + k] !== PAD) throw corrupt('base32', pos + k - 1);
          dlen = j;
          end = true;
          if (dlen === 1 || dlen === 3 || dlen === 6) throw corrupt('base32', pos - 1);
          break;
        }
        const v = B32_MAP.get(c);
        if (v === undefined) throw corrupt('base32', pos - 1);
        dbuf[j++] = v;
      }
      let bits = 0n;
      for (const d of dbuf) bits = (bits << 5n) | BigInt(d);
      const bytes = Array.from({ length: 5 }, (_, i) => Number((bits >> BigInt(32 - 8 * i)) & 0xffn));
      out.push(...bytes.slice(0, { 8: 5, 7: 4, 5: 3, 4: 2, 2: 1 }[dlen] ?? 0));
    }
  } catch (e) {
    if (e instanceof CorruptInput) return e.message;
    throw e;
  }
  return asString(out, 'b32dec');
}

function b64enc(s: string): string {
  let bin = '';
  for (const b of utf8.encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
}

function b32enc(s: string): string {
  const bytes = utf8.encode(s);
  let out = '';
  for (let i = 0; i < bytes.length; i += 5) {
    const chunk = bytes.subarray(i, i + 5);
    let bits = 0n;
    for (let j = 0; j < 5; j++) bits = (bits << 8n) | BigInt(chunk[j] ?? 0);
    const chars = Math.ceil((chunk.length * 8) / 5);
    for (let j = 0; j < 8; j++) out += j < chars ? B32[Number((bits >> BigInt(35 - 5 * j)) & 31n)] : '=';
  }
  return out;
}

export const encodingFunctions: Record<string, GoFunction> = {
  b64enc: goFunc(['string'], (s) => b64enc(strArg(s, 'b64enc'))),
  b64dec: goFunc(['string'], (s) => b64dec(strArg(s, 'b64dec'))),
  b32enc: goFunc(['string'], (s) => b32enc(strArg(s, 'b32enc'))),
  b32dec: goFunc(['string'], (s) => b32dec(strArg(s, 'b32dec'))),
};
