import { type ParleyClient } from '@parley/client';
import { KEY_PREFIX, objectHash, objectId } from '@parley/key-schema';
import type { SequencedNotification } from '@parley/protocol';
import { type Collector, eventually, type KeySpace, TestRedisCluster } from '@parley/testing';
import { appStarter, connectedSession, ofType, ok, registerUser, waitFor } from './apps';

/**
 * A Redis Cluster failover while the apps run (cluster tier only: jest.config.js): the master of
 * Parley's slot hands over to its replica (CLUSTER FAILOVER) in the middle of a room conversation.
 * Every message answered reaches the other member once and in order, requests go on being
 * answered, and the gateway's object cache follows edits made on the new master (keyspace events
 * are a node's own: it must subscribe there, and enable them there).
 */
describe('a Redis Cluster failover of Parley\'s slot while the apps run', () => {
  let cluster: TestRedisCluster;
  let space: KeySpace;
  const clients: ParleyClient[] = [];
  const { apps, start } = appStarter(() => space.url, { LOGIN_LIMIT_PER_IP: '100000' });
  let url = '';

  beforeAll(async () => {
    cluster = await TestRedisCluster.start({ masters: 3, replicas: 1 });
    space = await cluster.keySpace();
    url = `http://127.0.0.1:${(await start('gateway', { REQUEST_TIMEOUT_MS: '60000' })).port}`;
    await start('loopback-parser', { INBOX_CONSUMER_NAME: 'loopback-failover' });
  }, 120_000);

  afterAll(async () => {
    if (process.env.PARLEY_E2E_LOGS) for (const a of apps.values()) console.log(a.name, a.proc.lines.filter((l) => /"level":"(warn|error)"/.test(l)).slice(0, 8).join('\n'));
    for (const c of clients) c.socket.disconnect();
    await Promise.all([...apps.values()].map((a) => a.proc.kill('SIGKILL')));
    await space?.cleanup();
    await cluster?.stop();
  });

  interface User {
    nick: string;
    c: ParleyClient;
    seen: Collector<SequencedNotification>;
  }
  const user = async (nick: string): Promise<User> => {
    const s = await connectedSession(url, (await registerUser(url, nick)).token);
    clients.push(s.c);
    return { nick, ...s };
  };

  it('loses and doubles nothing in a room across the failover, and the object cache follows edits on the new master', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const { windowId } = ok(await alice.c.request({ id: 'CREATE', name: '#failover' }));
    const { windowId: bobWindow } = ok(await bob.c.request({ id: 'JOIN', network: 'parley', name: '#failover' }));

    // Alice talks without pause; a request refused meanwhile is sent again with the same clientMsgId.
    const gids: number[] = [];
    let until = Number.POSITIVE_INFINITY;
    const lane = (async () => {
      for (let k = 0; k < until; ) {
        const answer = await alice.c.request({ id: 'SEND', windowId, text: `m ${k}`, clientMsgId: `f-${k}` });
        if (answer.status === 'OK') {
          gids.push(answer.gid);
          k++;
        }
      }
    })();
    await eventually(() => ofType(bob, 'ADD_MESSAGE').filter((m) => m.windowId === bobWindow).length, (n) => n >= 10, 'the conversation under way');

    const key = `${KEY_PREFIX}x`; // any key of Parley's slot
    const { from, to } = await cluster.failover(key);
    expect(await cluster.masterOf(key)).toBe(to);
    expect(to).not.toBe(from);
    // Twenty more after it: requests go on being answered on the new master.
    until = gids.length + 20;
    await lane;

    // Bob has every message answered, once each, in order.
    await waitFor(bob, 'ADD_MESSAGE', (m) => m.windowId === bobWindow && m.gid === gids.at(-1));
    const got = ofType(bob, 'ADD_MESSAGE').filter((m) => m.windowId === bobWindow && m.cat === 'msg').map((m) => m.gid);
    expect(got).toEqual(gids);
    expect([...new Set(gids)]).toEqual(gids);

    // An operator's edit, written on the new master: the gateway's cache sees it and tells the sessions.
    const id = await space.redis.incr(objectId('Network'));
    await space.redis.hset(objectHash('Network', id), { name: 'afterfailover', host: 'irc.example.net', port: '6697', tls: 'true' });
    await waitFor(alice, 'NETWORK_LIST', (l) => l.networks.some((n) => n.name === 'afterfailover'));

    for (const app of apps.values()) expect({ app: app.name, ready: (await fetch(`http://127.0.0.1:${app.port}/readyz`)).status }).toEqual({ app: app.name, ready: 200 });
  }, 180_000);
});
