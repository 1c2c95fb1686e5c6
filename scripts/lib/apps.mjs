// The five apps `npm start` runs, with the HTTP port each serves /healthz and /readyz on.
export const APPS = [
  { name: 'gateway', port: 3200, portVar: 'GATEWAY_PORT' },
  { name: 'connection-manager', port: 3201, portVar: 'HEALTH_PORT' },
  { name: 'irc-parser', port: 3202, portVar: 'HEALTH_PORT' },
  { name: 'loopback-parser', port: 3203, portVar: 'HEALTH_PORT' },
  { name: 'im-router', port: 3204, portVar: 'HEALTH_PORT' },
];
