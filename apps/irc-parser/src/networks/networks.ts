import { readFileSync } from 'node:fs';
import { NetworkName } from '@parley/protocol';
import { z } from 'zod';

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

const NetworksFile = z.array(NetworkDefinition).refine((list) => new Set(list.map((n) => n.name)).size === list.length, 'network names must be unique');

/** The networks users may use: read from the file, or none without one. A bad file stops the app with the reason. */
export function loadNetworks(file: string | undefined): Map<string, NetworkDefinition> {
  if (!file) return new Map();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`IRC_NETWORKS_FILE ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = NetworksFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`IRC_NETWORKS_FILE ${file}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
  }
  return new Map(parsed.data.map((n) => [n.name, n]));
}
