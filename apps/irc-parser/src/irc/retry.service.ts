import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type Logger, LOGGER } from '@parley/runtime';
import type { IrcConfig } from './irc.config';
import { IrcRepository } from './irc.repository';
import { IrcService } from './irc.service';

/**
 * The back-off timers: reconnects wait in `ircretry` (Redis), so they survive restarts of this
 * app, and each is taken by one instance. Looked for every IRC_RETRY_POLL_MS; the inbox is never
 * held up by a wait.
 */
@Injectable()
export class RetryPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private awayTimer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly repo: IrcRepository,
    private readonly irc: IrcService,
    @Inject(APP_CONFIG) private readonly config: IrcConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.IRC_RETRY_POLL_MS);
    this.timer.unref();
    if (this.config.IRC_AWAY_DISCONNECT_DAYS > 0) {
      this.awayTimer = setInterval(() => void this.sweep(), this.config.IRC_AWAY_SWEEP_MS);
      this.awayTimer.unref();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    clearInterval(this.awayTimer);
  }

  /** Users away longer than IRC_AWAY_DISCONNECT_DAYS lose their IRC connections until they come back. */
  async sweep(): Promise<void> {
    try {
      const closed = await this.irc.sweepAway(Date.now() - this.config.IRC_AWAY_DISCONNECT_DAYS * 24 * 3600 * 1000);
      if (closed > 0) this.logger.info({ closed }, 'closed the IRC connections of users away too long');
    } catch (err) {
      this.logger.warn({ err }, 'the away sweep failed; it runs again later');
    }
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const { userId, network } of await this.repo.takeDueRetries(Date.now())) {
        await this.irc.retry(userId, network).catch((err: unknown) => this.logger.error({ err, userId, network }, 'reconnect failed; it waits for the next disconnect or connect'));
      }
    } catch (err) {
      this.logger.warn({ err }, 'could not read the due reconnects; trying again');
    } finally {
      this.running = false;
    }
  }
}
