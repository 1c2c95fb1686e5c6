import { objectHash, objectId, objectIds, objectIndexRefs, objectValue, parseObjectHashKey } from './anope';
import { KeyPartError } from './encode';

describe('object-store keys: the exact strings', () => {
  it.each<[string, () => string, string]>([
    ['objectId', () => objectId('BotInfo'), 'id:BotInfo'],
    ['objectIds', () => objectIds('BotInfo'), 'ids:BotInfo'],
    ['objectHash', () => objectHash('BotInfo', 1), 'hash:BotInfo:1'],
    ['objectIndexRefs', () => objectIndexRefs('BotInfo', 1), 'idx:BotInfo:1'],
    ['objectValue', () => objectValue('NickAlias', 'nick', 'Adam'), 'value:NickAlias:nick:Adam'],
    ['objectValue, encoded', () => objectValue('NickCore', 'email', 'adam@anope.org'), 'value:NickCore:email:adam%40anope.org'],
  ])('%s', (_name, build, expected) => {
    expect(build()).toBe(expected);
  });

  it.each<[string, () => string]>([
    ['a lower-case type', () => objectId('botInfo')],
    ['a type with a colon', () => objectIds('Bot:Info')],
    ['a non-numeric id', () => objectHash('BotInfo', '1*')],
    ['a field with a colon', () => objectValue('NickCore', 'e:mail', 'x')],
    ['an empty value', () => objectValue('NickCore', 'email', '')],
  ])('refuses %s', (_name, build) => {
    expect(build).toThrow(KeyPartError);
  });

  it('keeps a value from reaching into another value key', () => {
    expect(objectValue('ChanAccess', 'mask', 'Adam:x')).not.toBe(objectValue('ChanAccess', 'mask', 'Adam'));
    expect(objectValue('ChanAccess', 'mask', 'Adam:x')).toBe('value:ChanAccess:mask:Adam%3Ax');
  });
});

describe('parseObjectHashKey', () => {
  it('recognises what objectHash builds', () => {
    expect(parseObjectHashKey('hash:BotInfo:1')).toEqual({ type: 'BotInfo', id: 1 });
    expect(parseObjectHashKey(objectHash('NickCore', '9007199254740991'))).toEqual({ type: 'NickCore', id: 9007199254740991 });
  });

  it.each([
    'ids:BotInfo',
    'id:BotInfo',
    'value:NickCore:email:x',
    'hash:botInfo:1',
    'hash:BotInfo:01',
    'hash:BotInfo:0',
    'hash:BotInfo:',
    'hash:BotInfo:1:x',
    'hash:BotInfo:1\n',
    'xhash:BotInfo:1',
    'hash:Bot*:1',
    'hash:BotInfo:9007199254740992',
    '',
  ])('gives null for %j', (key) => {
    expect(parseObjectHashKey(key)).toBeNull();
  });
});
