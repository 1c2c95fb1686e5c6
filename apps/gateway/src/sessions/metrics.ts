import { Inject, Injectable } from '@nestjs/common';
import { METRICS } from '@parley/runtime';
import { Counter, Gauge, type Registry } from 'prom-client';

/** The gateway's socket and session figures on /metrics. */
@Injectable()
export class GatewayMetrics {
  readonly sockets: Gauge;
  readonly sessions: Counter<'kind'>;
  readonly notifications: Counter;
  readonly requests: Counter<'id' | 'status'>;
  readonly badPayloads: Counter<'event'>;
  readonly ended: Counter<'code'>;
  /** What the outbox gauges read at a scrape (set by Delivery, which knows the sockets it holds). */
  outboxes: () => Promise<{ entries: number; largest: number }> = () => Promise.resolve({ entries: 0, largest: 0 });

  constructor(@Inject(METRICS) registry: Registry) {
    this.sockets = new Gauge({ name: 'parley_gateway_sockets', help: 'Connected sockets with a session', registers: [registry] });
    this.sessions = new Counter({ name: 'parley_gateway_sessions_total', help: 'Sessions started (kind=new) or resumed', labelNames: ['kind'], registers: [registry] });
    this.notifications = new Counter({ name: 'parley_gateway_notifications_sent_total', help: 'Notifications emitted to sockets', registers: [registry] });
    this.requests = new Counter({ name: 'parley_gateway_requests_total', help: 'Client requests answered, by id and status (OK or the error code)', labelNames: ['id', 'status'], registers: [registry] });
    this.badPayloads = new Counter({ name: 'parley_gateway_bad_payloads_total', help: 'Socket events refused as malformed', labelNames: ['event'], registers: [registry] });
    this.ended = new Counter({ name: 'parley_gateway_sessions_ended_total', help: 'Sessions ended, by terminate code', labelNames: ['code'], registers: [registry] });
    const read = () => this.outboxes();
    new Gauge({
      name: 'parley_gateway_outbox_entries',
      help: 'Notifications in the outboxes of the sessions with a socket here (sent or not, not yet acknowledged), summed',
      registers: [registry],
      async collect() {
        this.set((await read()).entries);
      },
    });
    new Gauge({
      name: 'parley_gateway_outbox_largest',
      help: 'The longest outbox of a session with a socket here',
      registers: [registry],
      async collect() {
        this.set((await read()).largest);
      },
    });
  }
}
