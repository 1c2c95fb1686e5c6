import {
  inbox,
  inboxConsumers,
  inboxDead,
  inboxHandoff,
  inboxKeyPrefix,
  inboxOwners,
  inboxProcessing,
  inboxStats,
  inboxTakes,
  type InboxName,
} from '@parley/key-schema';

/** Every key one consumer of one inbox touches, from the key schema. */
export function courierKeys(name: InboxName, consumerId: string) {
  return {
    consumerId,
    inbox: inbox(name),
    dead: inboxDead(name),
    stats: inboxStats(name),
    prefix: inboxKeyPrefix(name),
    processing: inboxProcessing(name, consumerId),
    handoff: inboxHandoff(name, consumerId),
    owners: inboxOwners(name),
    consumers: inboxConsumers(name),
    takes: inboxTakes(name),
  };
}

export type CourierKeys = ReturnType<typeof courierKeys>;
