/**
 * The IRC networks an operator offers: the `Network` objects of the object store (seeded from
 * IRC_NETWORKS_FILE, edited live). irc-parser connects with them; the gateway lists them to users
 * (NETWORK_LIST, without host or password). One schema, so both agree on which are usable.
 */
import { z } from 'zod';
import { NetworkName } from './common';
import type { AvailableNetwork } from './notifications';

/** One IRC network the operator offers (IRC_NETWORKS_FILE is an array of these). */
export const NetworkDefinition = z.object({
  /** How users and keys name it: lower case, as the key schema folds network names. */
  name: NetworkName.refine((n) => n === n.toLowerCase() && n !== 'parley', 'expected a lower-case name other than parley'),
  host: z.string().regex(/^[^\s/]{1,253}$/, 'expected a host name or address'),
  port: z.int().min(1).max(65535),
  tls: z.boolean().default(false),
  /** The server password (PASS), when the network wants one. */
  password: z.string().min(1).max(400).regex(/^[^\r\n\0]*$/).optional(),
  /** Shown to users. */
  description: z.string().max(200).optional(),
});
export type NetworkDefinition = z.infer<typeof NetworkDefinition>;

/** A stored Network (Redis hash fields) as a definition; undefined (with the reason) when it does not fit. */
export function networkOf(o: Record<string, string>): { network?: NetworkDefinition; error?: string } {
  const parsed = NetworkDefinition.safeParse({
    name: o.name,
    host: o.host,
    port: o.port === undefined ? undefined : Number(o.port),
    tls: o.tls === 'true',
    ...(o.password ? { password: o.password } : {}),
    ...(o.description ? { description: o.description } : {}),
  });
  if (parsed.success) return { network: parsed.data };
  const issue = parsed.error.issues[0];
  return { error: `${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}` };
}

/** What users are told of the usable networks among stored ones (by name; the first of a name wins). */
export function availableNetworks(objects: Iterable<Record<string, string>>): AvailableNetwork[] {
  const out = new Map<string, AvailableNetwork>();
  for (const o of objects) {
    const { network } = networkOf(o);
    if (network && !out.has(network.name)) out.set(network.name, { name: network.name, tls: network.tls, ...(network.description ? { description: network.description } : {}) });
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}
