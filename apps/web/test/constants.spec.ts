/**
 * @jest-environment node
 */
import * as protocol from '@parley/protocol';
import { BUILTIN_NETWORK, FETCH_LIMIT_MAX, MAX_BACKLOG_MSGS, MESSAGE_TEXT_MAX } from '../src/lib/constants';

// The client copies these so that the bundle does not pull in the protocol's schemas; they must not drift.
describe('client constants', () => {
  it.each([
    ['BUILTIN_NETWORK', BUILTIN_NETWORK, protocol.BUILTIN_NETWORK],
    ['MAX_BACKLOG_MSGS', MAX_BACKLOG_MSGS, protocol.MAX_BACKLOG_MSGS],
    ['FETCH_LIMIT_MAX', FETCH_LIMIT_MAX, protocol.FETCH_LIMIT_MAX],
    ['MESSAGE_TEXT_MAX', MESSAGE_TEXT_MAX, protocol.MESSAGE_TEXT_MAX],
  ] as const)('%s is the protocol value', (_name, client, wire) => {
    expect(wire).toBeDefined();
    expect(client).toBe(wire);
  });
});
