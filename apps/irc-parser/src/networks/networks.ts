import { readFileSync } from 'node:fs';
import { NetworkDefinition } from '@parley/protocol';
import { z } from 'zod';

// The definition is shared with the gateway, which lists the networks to users.
export { NetworkDefinition } from '@parley/protocol';

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
