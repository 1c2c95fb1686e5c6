/**
 * @jest-environment node
 */
import { HELP, type InputAction, type InputContext, parseInput } from '../src/lib/commands';

const parley: InputContext = { windowId: 1, network: 'parley', windowType: 'group' };
const irc: InputContext = { windowId: 2, network: 'libera', windowType: 'group' };

describe('parseInput', () => {
  it.each<[string, InputContext, InputAction]>([
    // plain text
    ['hello there', parley, { kind: 'send', text: 'hello there' }],
    ['  indented', parley, { kind: 'send', text: '  indented' }],
    ['hello', irc, { kind: 'send', text: 'hello' }],
    ['   ', parley, { kind: 'error', message: 'nothing to send' }],
    ['', parley, { kind: 'error', message: 'nothing to send' }],
    // a line that starts with / on purpose
    ['//text', parley, { kind: 'send', text: '/text' }],
    ['//join #x', irc, { kind: 'send', text: '/join #x' }],
    ['//', parley, { kind: 'send', text: '/' }],
    // /join: Parley rooms always start with #, IRC names are passed as typed
    ['/join tea', parley, { kind: 'join', network: 'parley', name: '#tea' }],
    ['/join #tea', parley, { kind: 'join', network: 'parley', name: '#tea' }],
    ['/join #tea secret', parley, { kind: 'join', network: 'parley', name: '#tea', password: 'secret' }],
    ['/j tea', parley, { kind: 'join', network: 'parley', name: '#tea' }],
    ['/JOIN tea', parley, { kind: 'join', network: 'parley', name: '#tea' }],
    ['/join tea', irc, { kind: 'join', network: 'libera', name: 'tea' }],
    ['/join #tea', irc, { kind: 'join', network: 'libera', name: '#tea' }],
    ['/join #tea key', irc, { kind: 'join', network: 'libera', name: '#tea', password: 'key' }],
    ['/join', parley, { kind: 'error', message: '/join needs a room or channel name' }],
    ['/join   ', irc, { kind: 'error', message: '/join needs a room or channel name' }],
    // /create
    ['/create tea', parley, { kind: 'create', name: '#tea' }],
    ['/create #tea pw', irc, { kind: 'create', name: '#tea', password: 'pw' }],
    ['/create', parley, { kind: 'error', message: '/create needs a room name' }],
    // /part: closes, except an IRC /part with a reason
    ['/part', parley, { kind: 'close' }],
    ['/part bye all', parley, { kind: 'close' }],
    ['/part', irc, { kind: 'close' }],
    ['/part bye all', irc, { kind: 'command', command: 'part', params: 'bye all' }],
    ['/close', irc, { kind: 'close' }],
    ['/close now', irc, { kind: 'close' }],
    ['/leave', parley, { kind: 'close' }],
    // /topic
    ['/topic tea and biscuits', parley, { kind: 'topic', topic: 'tea and biscuits' }],
    ['/topic', parley, { kind: 'topic', topic: '' }],
    // /msg: a direct message on Parley, the network's command on IRC
    ['/msg bob hi there', parley, { kind: 'chat', network: 'parley', nick: 'bob', text: 'hi there' }],
    ['/msg bob   spaced  out', parley, { kind: 'chat', network: 'parley', nick: 'bob', text: 'spaced  out' }],
    ['/msg bob hi there', irc, { kind: 'command', command: 'msg', params: 'bob hi there' }],
    ['/msg #chan hi', irc, { kind: 'command', command: 'msg', params: '#chan hi' }],
    ['/msg bob', parley, { kind: 'error', message: '/msg needs a nick and a text' }],
    ['/msg', irc, { kind: 'error', message: '/msg needs a nick and a text' }],
    // /query
    ['/query bob', parley, { kind: 'chat', network: 'parley', nick: 'bob' }],
    ['/query bob', irc, { kind: 'chat', network: 'libera', nick: 'bob' }],
    ['/query', parley, { kind: 'error', message: '/query needs a nick' }],
    // /friend
    ['/friend bob', parley, { kind: 'friend', nick: 'bob' }],
    ['/friend', parley, { kind: 'error', message: '/friend needs a nick' }],
    // /me
    ['/me waves', parley, { kind: 'command', command: 'me', params: 'waves' }],
    ['/bot say Botty hello all', parley, { kind: 'command', command: 'bot', params: 'say Botty hello all' }],
    ['/me', parley, { kind: 'error', message: '/me needs a text' }],
    ['/me    ', irc, { kind: 'error', message: '/me needs a text' }],
    // everything else goes to the network
    ['/whois bob', irc, { kind: 'command', command: 'whois', params: 'bob' }],
    ['/NICK newnick', irc, { kind: 'command', command: 'nick', params: 'newnick' }],
    ['/op bob', parley, { kind: 'command', command: 'op', params: 'bob' }],
    ['/away', irc, { kind: 'command', command: 'away', params: '' }],
    ['/quote PRIVMSG  #x :hi ', irc, { kind: 'command', command: 'quote', params: 'PRIVMSG  #x :hi' }],
    // local commands
    ['/help', parley, { kind: 'help' }],
    ['/HELP me', irc, { kind: 'help' }],
    ['/clear', parley, { kind: 'clear' }],
    // not commands at all
    ['/', parley, { kind: 'error', message: 'not a command: /' }],
    ['/1up', parley, { kind: 'error', message: 'not a command: /1up' }],
    ['/a:b', parley, { kind: 'error', message: 'not a command: /a:b' }],
  ])('%j in %o', (line, ctx, expected) => {
    expect(parseInput(line, ctx)).toEqual(expected);
  });

  it('lists every local command in HELP', () => {
    const usages = HELP.map((h) => h.usage).join('\n');
    for (const cmd of ['/help', '/join', '/create', '/part', '/me', '/msg', '/query', '/friend', '/clear', '//text']) expect(usages).toContain(cmd);
  });
});
