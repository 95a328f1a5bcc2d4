// A debugging aid, not a test: both injectors' pods for one pod (ORACLE_POD: JSON file) and settings
// (--set arguments), printed side by side where they differ. `node --import tsx test/oracle/compare-one.ts POD.json [SET...]`
import { readFileSync } from 'node:fs';
import { reviewOf } from './arbitraries/pod.ts';
import { disagreement, istiodOutcome, ourOutcome } from './compare.ts';
import { IstiodInjector, oracleDir, renderIstioSettings } from './istiod.ts';
import { ourInjection, ourSettings } from './ours.ts';

const [podFile, ...sets] = process.argv.slice(2);
const native = process.env.NATIVE === 'true' ? 'true' : 'false';
const oracle = oracleDir();
const rendered = renderIstioSettings(oracle, sets);
const istiod = new IstiodInjector(oracle, rendered.dir, { native });
try {
  const generated = JSON.parse(readFileSync(podFile!, 'utf8'));
  const pod = (await istiod.canonical(generated)) as Record<string, unknown>;
  const namespace = String((pod.metadata as { namespace?: string }).namespace ?? 'default');
  const review = reviewOf({ pod, namespace }, 'one');
  const theirs = istiodOutcome(await istiod.inject('/inject', review), pod);
  const ours = ourOutcome(ourInjection(ourSettings(rendered, native), '/inject', review, {}), pod);
  const t = theirs.kind === 'injected' ? { kind: 'injected' as const, pod: await istiod.canonical(theirs.pod) } : theirs;
  const o = ours.kind === 'injected' ? { kind: 'injected' as const, pod: await istiod.canonical(ours.pod) } : ours;
  console.log(disagreement(o, t).join('\n') || 'agree');
  if (process.env.DUMP) console.log(JSON.stringify({ ours: o, istiod: t }, null, 1));
  // REINJECT=1: istiod's pod fed back to ours, which must leave it as it is
  if (process.env.REINJECT && t.kind === 'injected') {
    const again = ourInjection(ourSettings(rendered, native), '/inject', reviewOf({ pod: t.pod as Record<string, unknown>, namespace }, 'again'), {});
    console.log('re-injection:', JSON.stringify(again.review?.response ?? again).slice(0, 3000));
  }
} finally {
  istiod.close();
}
