import { Controller, Get, Header } from '@nestjs/common';

/** Security headers for every page the gateway serves (the web client replaces this page in issue 7). */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

@Controller()
export class WebController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CSP)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('X-Frame-Options', 'DENY')
  @Header('Referrer-Policy', 'no-referrer')
  index(): string {
    return [
      '<!doctype html>',
      '<html lang="en"><head><meta charset="utf-8"><title>Parley</title></head>',
      '<body><h1>Parley</h1><p>The gateway is running. The web client is not built yet; see the README.</p></body></html>',
    ].join('\n');
  }
}
