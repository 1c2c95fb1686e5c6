import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNetworks } from './networks';

describe('loadNetworks', () => {
  const file = (content: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'nets-')), 'networks.json');
    writeFileSync(path, content);
    return path;
  };

  it('reads the example file of the repository', () => {
    const networks = loadNetworks(join(__dirname, '..', '..', '..', '..', 'infra', 'irc-networks.example.json'));
    expect([...networks.keys()]).toEqual(['libera', 'oftc', 'local']);
    expect(networks.get('libera')).toMatchObject({ host: 'irc.libera.chat', port: 6697, tls: true });
  });

  it('offers no networks without a file', () => {
    expect(loadNetworks(undefined).size).toBe(0);
  });

  it.each([
    ['not JSON', '{', /IRC_NETWORKS_FILE .*: /],
    ['a name in upper case', '[{"name":"Libera","host":"h","port":6667}]', /lower-case/],
    ['the built-in network', '[{"name":"parley","host":"h","port":6667}]', /other than parley/],
    ['a bad port', '[{"name":"x","host":"h","port":0}]', /port/],
    ['a name twice', '[{"name":"x","host":"h","port":1},{"name":"x","host":"i","port":2}]', /unique/],
  ])('refuses %s with the reason', (_what, content, reason) => {
    expect(() => loadNetworks(file(content))).toThrow(reason);
  });
});
