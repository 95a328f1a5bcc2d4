// Each server's own answer to every review, fetched once before any load the way the API server would
// (certificate verified): what its answers under load must look like (patched or not), and what the
// floor answers. istiod's answers differ from ours in bytes (its own templates and images), so each
// server is checked against its own; the floor is calibrated on the injector's.
import { Agent } from 'node:https';
import type { Expected } from './load.ts';
import { reviewsOf, type Case } from './reviews.ts';
import { strictPost, type FloorPatches, type Server } from './servers.ts';

export interface Answer {
  patch: string;
  bytes: number;
  tlsVersion: string;
}

/** A server's answers, by request uid. */
export type Answers = Map<string, Answer>;

/** The server's answer to one review; it must admit it. */
export async function answer(server: Server, ca: string, c: Case, agent: Agent | false = false): Promise<Answer> {
  const r = await strictPost(server.url, ca, c.body, agent);
  const review = JSON.parse(r.body) as { response?: { uid?: string; allowed?: boolean; patch?: string } };
  if (r.status !== 200 || review.response?.uid !== c.uid || review.response.allowed !== true) {
    throw new Error(`${server.name} refused case ${c.id}: HTTP ${r.status} ${r.body.slice(0, 500)}`);
  }
  return { patch: review.response.patch ?? '', bytes: Buffer.byteLength(r.body), tlsVersion: r.tlsVersion };
}

/** The server's answers to every review of every case (a case's whole cycle), on one kept-alive connection. */
export async function answersOf(server: Server, ca: string, cases: Case[]): Promise<Answers> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const out: Answers = new Map();
    for (const c of cases.flatMap(reviewsOf)) out.set(c.uid, await answer(server, ca, c, agent));
    return out;
  } finally {
    agent.destroy();
  }
}

export function expectedOf(answers: Answers): Expected {
  return new Map([...answers].map(([uid, a]) => [uid, a.patch !== '']));
}

/**
 * The floor's answers: the injector's own patch for each review of a case, and for a cycle of reviews,
 * one patch per answer size (the floor answers alike in size; thousands of uids share a string).
 */
export function floorPatches(cases: Case[], answers: Answers): FloorPatches {
  const patches: string[] = [];
  const byUid: Record<string, number> = {};
  for (const c of cases) {
    const index = new Map<number, number>(); // patch length -> its index in `patches`
    for (const r of reviewsOf(c)) {
      const patch = answers.get(r.uid)!.patch;
      if (!index.has(patch.length)) index.set(patch.length, patches.push(patch) - 1);
      byUid[r.uid] = index.get(patch.length)!;
    }
  }
  return { patches, byUid };
}

/** JSON patch operations in a base64 patch (0 for none, or `W10=`, an empty list). */
const opsIn = (patch: string): number => (JSON.parse(Buffer.from(patch, 'base64').toString('utf8') || '[]') as unknown[]).length;

export interface Sizes {
  id: string;
  title: string;
  /** Bytes of the case's (first) review. */
  request: number;
  /** Answer bytes over the case's reviews (one review: min = max), and the first answer's patch operations. */
  injector: { min: number; max: number; ops: number };
  istiod?: { min: number; max: number; ops: number };
}

export function sizesOf(c: Case, ours: Answers, istiod: Answers | undefined): Sizes {
  const of = (a: Answers) => {
    const all = reviewsOf(c).map((r) => a.get(r.uid)!.bytes);
    return { min: Math.min(...all), max: Math.max(...all), ops: opsIn(a.get(c.uid)!.patch) };
  };
  return { id: c.id, title: c.title, request: Buffer.byteLength(c.body), injector: of(ours), ...(istiod ? { istiod: of(istiod) } : {}) };
}
