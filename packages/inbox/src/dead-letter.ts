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

/** The diagnostic `ping` every inbox accepts: logged, so a person can see a message go through. */
export function logPing(logger: { info(obj: object, msg: string): void }, inbox: string, message: { id: string; traceId?: string }): Promise<void> {
  logger.info({ inbox, id: message.id, traceId: message.traceId }, 'ping received');
  return Promise.resolve();
}
