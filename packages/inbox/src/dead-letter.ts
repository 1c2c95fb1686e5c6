/**
 * Thrown by a handler for a message that must not be retried (a type this app does not handle yet,
 * a request that can never succeed): the courier moves it to the dead-letter list at once, with
 * the reason.
 */
export class DeadLetter extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DeadLetter';
  }
}

/** One entry of `inbox:<name>:dead`: the message as it arrived, and why it is there. */
export interface DeadLetterEntry {
  reason: string;
  inbox: string;
  consumer: string;
  attempts: number;
  at: string;
  message: string;
}

/**
 * A handler for messages an app will handle in a later version: it dead-letters them with a reason
 * that says so, instead of dropping them or failing to start.
 */
export function notHandledYet(what: string, app: string): () => Promise<never> {
  return () => Promise.reject(new DeadLetter(`${what} not handled yet by ${app}`));
}
