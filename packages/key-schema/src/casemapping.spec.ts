import { foldCase, parseCaseMapping, type CaseMapping } from './casemapping';
import { ircNamePart, roomNamePart } from './encode';

describe('foldCase', () => {
  it.each<[string, CaseMapping, string]>([
    ['NickServ', 'ascii', 'nickserv'],
    ['NickServ', 'strict-rfc1459', 'nickserv'],
    ['NickServ', 'rfc1459', 'nickserv'],
    ['[]\\^', 'ascii', '[]\\^'],
    ['[]\\^', 'strict-rfc1459', '{}|^'],
    ['[]\\^', 'rfc1459', '{}|~'],
    ['{}|~', 'ascii', '{}|~'],
    ['{}|~', 'strict-rfc1459', '{}|~'],
    ['{}|~', 'rfc1459', '{}|~'],
    ['#Chan[1]', 'rfc1459', '#chan{1}'],
    ['@_`', 'rfc1459', '@_`'],
    ['ÄÖÜ Straße', 'rfc1459', 'ÄÖÜ straße'],
    ['ÄÖÜ', 'ascii', 'ÄÖÜ'],
  ])('folds %j under %s to %j', (name, mapping, expected) => {
    expect(foldCase(name, mapping)).toBe(expected);
  });

  it.each<CaseMapping>(['ascii', 'strict-rfc1459', 'rfc1459'])('is idempotent under %s', (mapping) => {
    const once = foldCase('ABC[]\\^~{}|xyz', mapping);
    expect(foldCase(once, mapping)).toBe(once);
  });
});

describe('parseCaseMapping', () => {
  it.each<[string | undefined, CaseMapping]>([
    ['ascii', 'ascii'],
    ['strict-rfc1459', 'strict-rfc1459'],
    ['rfc1459', 'rfc1459'],
    ['ASCII', 'ascii'],
    [undefined, 'rfc1459'],
    ['', 'rfc1459'],
    ['rfc7613', 'rfc1459'],
    ['something-new', 'rfc1459'],
  ])('reads %j as %s', (value, expected) => {
    expect(parseCaseMapping(value)).toBe(expected);
  });
});

describe('IRC names fold before they are encoded', () => {
  it('gives one part for names the network considers equal', () => {
    expect(ircNamePart('#Chan[1]', 'rfc1459')).toBe('#chan%7B1%7D');
    expect(ircNamePart('#chan{1}', 'rfc1459')).toBe('#chan%7B1%7D');
    expect(ircNamePart('#Chan[1]', 'ascii')).toBe('#chan%5B1%5D');
    expect(ircNamePart('#chan{1}', 'ascii')).toBe('#chan%7B1%7D');
  });

  it('treats room names of the built-in network as rfc1459', () => {
    expect(roomNamePart('Tea^Room')).toBe(roomNamePart('tea~room'));
  });
});
