import { parseCommand } from './commands';

describe('parseCommand', () => {
  it.each([
    ['me', 'waves hello', { kind: 'me', text: 'waves hello' }],
    ['ME', '  shrugs ', { kind: 'me', text: 'shrugs' }],
    ['me', '', { kind: 'error', message: '/me needs some text' }],
    ['topic', 'Tea & cake', { kind: 'topic', text: 'Tea & cake' }],
    ['topic', '', { kind: 'topic', text: '' }],
    ['topic', 'x'.repeat(1001), { kind: 'error', message: 'a topic is at most 1000 characters' }],
    ['policy', 'Approval', { kind: 'policy', policy: 'approval' }],
    ['policy', 'closed', { kind: 'error', message: '/policy takes one of open, password, invite, approval' }],
    ['op', 'bob', { kind: 'moderate', action: 'op', nick: 'bob', reason: '' }],
    ['kick', 'bob  be   nice', { kind: 'moderate', action: 'kick', nick: 'bob', reason: 'be nice' }],
    ['ban', 'Mall*', { kind: 'moderate', action: 'ban', mask: 'mall*', reason: '' }],
    ['unban', 'ma?lory', { kind: 'moderate', action: 'unban', mask: 'ma?lory', reason: '' }],
    ['kick', 'mall*', { kind: 'error', message: '/kick takes a nick, not a mask' }],
    ['ban', 'a:b*', { kind: 'error', message: 'not a nick mask: a:b*' }],
    ['op', '', { kind: 'error', message: '/op needs a nick' }],
    ['op', '1bob', { kind: 'error', message: '/op needs a nick' }],
    ['apikey', '', { kind: 'apikey' }],
    ['bans', '', { kind: 'bans' }],
    ['akick', 'add Troll* no trolls', { kind: 'akick', op: 'add', mask: 'troll*', reason: 'no trolls' }],
    ['akick', 'del troll*', { kind: 'akick', op: 'del', mask: 'troll*', reason: '' }],
    ['akick', 'list', { kind: 'akick', op: 'list', reason: '' }],
    ['access', 'add Bob op', { kind: 'access', op: 'add', mask: 'bob', level: 'op' }],
    ['access', 'add v* voice', { kind: 'access', op: 'add', mask: 'v*', level: 'voice' }],
    ['access', 'add bob king', { kind: 'error', message: '/access add <mask> takes op or voice' }],
    ['access', 'del bob', { kind: 'access', op: 'del', mask: 'bob' }],
    ['access', 'list', { kind: 'access', op: 'list' }],
    ['alias', 'add Zed', { kind: 'alias', op: 'add', nick: 'zed' }],
    ['alias', 'del zed', { kind: 'alias', op: 'del', nick: 'zed' }],
    ['alias', 'list', { kind: 'alias', op: 'list' }],
    ['alias', 'add app_x', { kind: 'error', message: '/alias add needs a nick (up to 15 letters, digits and []\\`_^{|}-)' }],
    ['akick', 'add', { kind: 'error', message: '/akick add needs a nick mask (letters, digits, * and ?)' }],
    ['akick', 'nuke all', { kind: 'error', message: '/akick takes add <mask> [reason], del <mask> or list' }],
    ['dance', '', { kind: 'error', message: 'unknown command /dance' }],
  ])('/%s %j', (command, params, expected) => {
    expect(parseCommand(command, params)).toEqual(expected);
  });
});
