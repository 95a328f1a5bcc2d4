// Every cap the pure core enforces on one request, in one place. Each is far above anything a real pod
// or manifest reaches, and low enough that the work it allows stays small (costs are linear in input
// size below these caps). Going over one is a clear InjectionError (LIMIT_EXCEEDED) naming the cap.

/**
 * YAML documents in one stream, empty ones included (6 MiB of `---\n` is 1.5 M empty documents, and
 * each costs a parser object). A large generated manifest (a whole Helm release) has hundreds.
 */
export const MAX_DOCUMENTS = 10_000;

/** Objects in one input once Lists are opened (documents plus List items): the same order as documents. */
export const MAX_OBJECTS = 10_000;

/**
 * Objects in one /preview (after opening Lists). Each injectable one is a full injection that rarely
 * reuses a render (each workload has its own name): about 3 ms and 11 KB of answer for a small pod, so
 * 250 bounds a preview near 0.75 s and 3 MB. A chart's worth of workloads is tens; more, split the input.
 */
export const MAX_PREVIEW_OBJECTS = 250;

/**
 * Nesting of maps and lists in one object or structured annotation. A pod nests about 10 deep (its
 * managedFields a few more); a CRD's openAPIV3Schema perhaps 60. Recursive steps (merge, diff, copy,
 * serialise) stay far from the stack limit at 256, where 100,000 overflowed it.
 */
export const MAX_NESTING_DEPTH = 256;

/**
 * Values (scalars, maps, lists) in one object or structured annotation. A pod with 2,000 env vars has
 * about 6,000 and the API server stores at most 1.5 MiB per object; this bounds every linear walk.
 */
export const MAX_NODES = 250_000;

/**
 * YAML alias resolutions per document, as `yaml`'s maxAliasCount counts them (an alias of a collection
 * counts the aliases inside it): billion-laughs documents expand exponentially; manifests use few.
 */
export const MAX_YAML_ALIASES = 100;

/** Characters of any input value echoed in a message or log line (the rest is summarised by clip()). */
export const MAX_ECHO_CHARS = 200;

/**
 * Characters of one error message. Messages list every bad annotation (each value clipped), so a few
 * are longer than one echo; past this the message is cut whatever it quotes.
 */
export const MAX_MESSAGE_CHARS = 4_000;

/**
 * MutatingWebhookConfigurations read for one decision set (a --webhook-config file, the cluster's). A
 * cluster has a handful (one per revision and tag, and other products'); each is read once, linearly.
 */
export const MAX_WEBHOOK_CONFIGURATIONS = 1_000;

/** Webhook entries over all those configurations (Istio writes 2 to 5 per configuration). */
export const MAX_WEBHOOK_ENTRIES = 5_000;
