import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { eventually, IrcPeer, TestIrcServer, TestRedis, type TestKeySpace } from '@parley/testing';
import { appStarter, connectedSession, ok, registerUser, testnetEnv } from './apps';
import { CuttableProxy, launchChromium, SHOTS } from './browser';

/**
 * The web client in a real browser (Debian's chromium through playwright-core) against the whole
 * running system: the gateway serving the production build, loopback-parser, im-router,
 * irc-parser and connection-manager as processes, a real Redis and a real ngircd with a raw peer.
 * The steps build on each other, in order; each one leaves a screenshot in e2e/screenshots/.
 */
jest.setTimeout(120_000);

describe('web client in chromium, against the running system', () => {
  let redis: TestRedis;
  let space: TestKeySpace;
  let ircd: TestIrcServer;
  let dir: string;
  let browser: Browser;
  let proxy: CuttableProxy;
  let direct = '';
  const contexts: BrowserContext[] = [];
  const peers: IrcPeer[] = [];
  const problems: string[] = [];
  const { apps, start } = appStarter(() => space.url, { LOGIN_LIMIT_PER_IP: '100000' });

  const clients: { disconnect(): void }[] = [];
  const alice = { nick: 'alice', page: undefined as unknown as Page };
  const bob = { nick: 'bob', page: undefined as unknown as Page };

  beforeAll(async () => {
    redis = await TestRedis.start();
    space = await redis.keySpace();
    ircd = await TestIrcServer.start();
    dir = mkdtempSync(join(tmpdir(), 'parley-web-e2e-'));
    const irc = testnetEnv(dir, ircd);
    const gateway = await start('gateway', { REQUEST_TIMEOUT_MS: '60000', DATA_DIR: dir });
    direct = `http://127.0.0.1:${gateway.port}`;
    await start('loopback-parser');
    await start('im-router');
    await start('irc-parser', irc.ircParser);
    await start('connection-manager', irc.connectionManager);
    // Alice's browser reaches the gateway through a proxy the test can cut; Bob's directly.
    proxy = await CuttableProxy.start(gateway.port);
    browser = await launchChromium();
    alice.page = await openPage('alice');
    bob.page = await openPage('bob');
  });

  afterAll(async () => {
    if (process.env.PARLEY_E2E_LOGS) for (const a of apps.values()) console.log(a.name, a.proc.lines.filter((l) => /"level":"(warn|error)"/.test(l)).slice(0, 8).join('\n'));
    for (const c of clients) c.disconnect();
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await proxy?.stop();
    for (const p of peers) p.close();
    await Promise.all([...apps.values()].map((a) => a.proc.kill('SIGKILL')));
    await ircd?.close();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    // Script errors, CSP violations, alert() calls and what the client reports (a gap or a repeat
    // in the notifications, a failed alert) are failures of the step that caused them, and only of it.
    expect(problems.splice(0)).toEqual([]);
  });

  async function openPage(who: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`${who}: page error: ${err.message}`));
    page.on('dialog', (d) => {
      problems.push(`${who}: a ${d.type()} dialog opened: ${d.message()}`);
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text()) || m.text().startsWith('parley:')) problems.push(`${who}: ${m.text()}`);
    });
    return page;
  }

  let shot = 0;
  const snap = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`) });

  /** The message lines of the open window that contain `text`. */
  const lines = (page: Page, text: string): Locator => page.locator('.messages .line', { hasText: text });
  /** Waits until a line with `text` is shown, then says how many there are. */
  const shownCount = async (page: Page, text: string): Promise<number> => {
    await lines(page, text).first().waitFor();
    return lines(page, text).count();
  };
  const windowItem = (page: Page, label: string) => page.locator('.window-list .window-item', { has: page.locator('.window-name', { hasText: new RegExp(`^${label.replace(/[#]/g, '\\#')}$`) }) });
  const openWindow = async (page: Page, label: string) => {
    await windowItem(page, label).click();
    await page.locator('.window-title', { hasText: label }).waitFor();
  };
  const say = async (page: Page, text: string) => {
    await page.getByLabel('message', { exact: true }).fill(text);
    await page.getByLabel('message', { exact: true }).press('Enter');
    await page.locator('.messages .line.own', { hasText: text }).first().waitFor();
  };

  /** Submits the login form; the caller waits for what should follow (the chat, or the refusal). */
  async function logIn(page: Page, username: string, password: string) {
    await page.goto(`${direct}/#/login`);
    await page.getByLabel('Nick or e-mail').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
  }
  const refused = (page: Page) => page.getByRole('alert').filter({ hasText: /password|credentials/i }).waitFor();

  async function register(page: Page, base: string, nick: string) {
    const res = await page.goto(`${base}/#/register`);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await page.getByLabel('Name', { exact: true }).fill(nick);
    await page.getByLabel('E-mail', { exact: true }).fill(`${nick}@example.com`);
    await page.getByLabel('Nick', { exact: true }).fill(nick);
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Welcome to Parley').waitFor();
  }

  it('shows field errors from the server next to the field', async () => {
    const page = await openPage('visitor');
    await page.goto(`${direct}/#/register`);
    await page.getByLabel('Name', { exact: true }).fill('Visitor');
    await page.getByLabel('E-mail', { exact: true }).fill('visitor@example.com');
    await page.getByLabel('Nick', { exact: true }).fill('9bad');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    // The server's 400 names both fields; each error is shown under its own input.
    await page.locator('.field', { has: page.getByLabel('Nick', { exact: true }) }).locator('.field-error').waitFor();
    expect(await page.locator('.field', { has: page.getByLabel('Password', { exact: true }) }).locator('.field-error').textContent()).toMatch(/8/);
    await snap(page, 'register-field-errors');
    await logIn(page, 'nobody', 'wrong password');
    await refused(page);
    await page.context().close();
  });

  it('two users register in two browsers, one creates a room, the other joins, they talk', async () => {
    await register(alice.page, proxy.url, alice.nick);
    await register(bob.page, direct, bob.nick);
    await snap(alice.page, 'alice-registered');

    await alice.page.getByRole('button', { name: 'Create a room' }).click();
    await alice.page.getByRole('dialog').getByLabel('Room name').fill('#web');
    await alice.page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await alice.page.locator('.window-title', { hasText: '#web' }).waitFor();

    await bob.page.getByRole('button', { name: 'Join a room', exact: true }).click();
    await bob.page.getByRole('dialog').getByLabel('Room name').fill('#web');
    await bob.page.getByRole('dialog').getByRole('button', { name: 'Join' }).click();
    await bob.page.locator('.window-title', { hasText: '#web' }).waitFor();

    await say(alice.page, 'hello bob, welcome to #web');
    expect(await shownCount(bob.page, 'hello bob, welcome to #web')).toBe(1);
    await say(bob.page, 'hi alice https://example.com/tea');
    expect(await shownCount(alice.page, 'hi alice')).toBe(1);
    // The link is an anchor, opened elsewhere without access to this page.
    const link = lines(alice.page, 'hi alice').locator('a');
    expect(await link.getAttribute('href')).toBe('https://example.com/tea');
    expect(await link.getAttribute('rel')).toContain('noopener');
    // Both are members, the creator first as owner.
    await alice.page.locator('.member-list .member', { hasText: 'bob' }).waitFor();
    expect(await alice.page.locator('.member-list .member').first().textContent()).toBe('~alice');
    await snap(alice.page, 'room-alice');
    await snap(bob.page, 'room-bob');
  });

  it('keeps the history across a page reload', async () => {
    await bob.page.reload();
    await bob.page.locator('.window-title', { hasText: '#web' }).waitFor();
    expect(await shownCount(bob.page, 'hello bob, welcome to #web')).toBe(1);
    expect(await shownCount(bob.page, 'hi alice')).toBe(1);
    // The members come back with the burst too, the owner first.
    await bob.page.locator('.member-list .member', { hasText: 'bob' }).waitFor();
    expect(await bob.page.locator('.member-list .member').allTextContents()).toEqual(['~alice', 'bob']);
    await snap(bob.page, 'bob-after-reload');
  });

  it('shows a message containing HTML as text', async () => {
    const html = '<img src=x onerror=alert(1)> <b>bold?</b>';
    await say(alice.page, html);
    expect(await shownCount(bob.page, '<img src=x onerror=alert(1)>')).toBe(1);
    expect(await lines(bob.page, '<b>bold?</b>').first().locator('.body').textContent()).toBe(html);
    expect(await bob.page.locator('.messages img, .messages b').count()).toBe(0);
    await snap(bob.page, 'html-as-text');
  });

  it('edits an own message in place; the other member sees the new version once', async () => {
    await say(alice.page, 'teh tea is ready');
    expect(await shownCount(bob.page, 'teh tea is ready')).toBe(1);
    const line = lines(alice.page, 'teh tea is ready');
    await line.hover();
    await line.getByRole('button', { name: 'edit' }).click();
    await alice.page.getByLabel('edit message').fill('the tea is ready');
    await alice.page.getByLabel('edit message').press('Enter');
    await lines(alice.page, 'the tea is ready').locator('.edited').waitFor();
    await lines(bob.page, 'the tea is ready').locator('.edited').waitFor();
    expect(await lines(bob.page, 'tea is ready').count()).toBe(1);
    await snap(bob.page, 'edited');
  });

  it("the room's owner sees and changes its policy and bans; a member has no room settings", async () => {
    await bob.page.getByRole('button', { name: 'Window' }).click();
    await bob.page.getByRole('menuitem', { name: 'Notes & links' }).waitFor();
    expect(await bob.page.getByRole('menuitem', { name: 'Room settings' }).count()).toBe(0);
    await bob.page.keyboard.press('Escape');
    await bob.page.getByRole('menu').waitFor({ state: 'detached' });
    // Typed as a command, the server's refusal is shown and the line stays in the input.
    const input = bob.page.getByLabel('message', { exact: true });
    await input.fill('/bans');
    await input.press('Enter');
    await bob.page.locator('.notice.error', { hasText: 'only the owner and operators see the bans' }).waitFor();
    expect(await input.inputValue()).toBe('/bans');
    await input.fill('');
    const page = alice.page;
    await page.getByRole('button', { name: 'Window' }).click();
    await page.getByRole('menuitem', { name: 'Room settings' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Nobody is banned.').waitFor();
    expect(await dialog.getByLabel('Who may join').inputValue()).toBe('open');
    await dialog.getByLabel('Ban a nick or a nick mask (spam*)').fill('spam*');
    await dialog.getByRole('button', { name: 'Ban', exact: true }).click();
    const ban = dialog.locator('.plain-list li', { hasText: 'spam*' });
    await ban.waitFor();
    expect(await ban.textContent()).toContain('nick mask');
    await dialog.getByLabel('Who may join').selectOption('approval');
    await dialog.getByText('join policy: approval').waitFor();
    await snap(page, 'room-settings');
    await ban.getByRole('button', { name: 'Unban' }).click();
    await dialog.getByText('Nobody is banned.').waitFor();
    await dialog.getByLabel('Who may join').selectOption('open');
    await dialog.getByText('join policy: open').waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('a friend request is accepted, a direct message sent, and its read receipt shown', async () => {
    await alice.page.getByRole('button', { name: 'Friends' }).click();
    await alice.page.getByRole('dialog').getByLabel('Add a friend by nick').fill('bob');
    await alice.page.getByRole('dialog').getByRole('button', { name: 'Ask' }).click();
    await alice.page.getByRole('dialog').getByText('asked bob').waitFor();

    await bob.page.locator('.topbar button', { hasText: 'Friends' }).locator('.badge').waitFor();
    await bob.page.getByRole('button', { name: /^Friends/ }).click();
    await bob.page.getByRole('dialog').getByText('alice wants to be friends').waitFor();
    await snap(bob.page, 'friend-request');
    await bob.page.getByRole('dialog').getByRole('button', { name: 'Accept' }).click();
    await bob.page.getByRole('dialog').locator('.plain-list li', { hasText: 'alice' }).getByRole('button', { name: 'Message' }).waitFor();
    await bob.page.keyboard.press('Escape');
    expect(await bob.page.getByRole('dialog').count()).toBe(0);

    // Alice sees Bob in her list, online, and writes to him from there.
    const entry = alice.page.getByRole('dialog').locator('.plain-list li', { hasText: 'bob' });
    await entry.locator('.presence.online').waitFor();
    await entry.getByRole('button', { name: 'Message' }).click();
    await alice.page.locator('.window-title', { hasText: 'bob' }).waitFor();
    await say(alice.page, 'psst, bob');

    // Bob is in #web: the conversation appears with a mention badge, and opening it reads it.
    await windowItem(bob.page, 'alice').locator('.badge.mention').waitFor();
    await snap(bob.page, 'dm-unread');
    await openWindow(bob.page, 'alice');
    expect(await shownCount(bob.page, 'psst, bob')).toBe(1);
    await lines(alice.page, 'psst, bob').locator('.receipt').waitFor();
    await snap(alice.page, 'dm-read-receipt');
  });

  it('joins an IRC channel on the test ngircd, and a line from a raw peer appears', async () => {
    const peer = await IrcPeer.connect(ircd, 'rawpeer');
    peers.push(peer);
    peer.send('JOIN #webirc');
    await peer.waitFor((l) => l.command === '366');

    await alice.page.getByRole('button', { name: '+ Join an IRC channel' }).click();
    const dialog = alice.page.getByRole('dialog');
    await dialog.getByLabel('Network').fill('testnet');
    await dialog.getByLabel('Channel', { exact: true }).fill('#webirc');
    await dialog.getByRole('button', { name: 'Join' }).click();
    await alice.page.locator('.window-title', { hasText: '#webirc' }).waitFor();
    await peer.waitFor((l) => l.command === 'JOIN' && l.nick === 'alice');
    await alice.page.locator('.window-group', { hasText: 'testnet' }).locator('.net-connected').waitFor();

    peer.send('PRIVMSG #webirc :hello from a raw IRC peer');
    expect(await shownCount(alice.page, 'hello from a raw IRC peer')).toBe(1);
    await alice.page.locator('.member-list .member', { hasText: 'rawpeer' }).waitFor();
    await say(alice.page, 'hello, IRC');
    await peer.waitFor((l) => l.command === 'PRIVMSG' && l.params[1] === 'hello, IRC');
    await snap(alice.page, 'irc-channel');
  });

  it('loses and doubles nothing when the network is cut and restored', async () => {
    await openWindow(alice.page, '#web');
    await openWindow(bob.page, '#web');
    // The page must not reload: this mark would be gone.
    await alice.page.evaluate(() => ((globalThis as unknown as { beforeCut: boolean }).beforeCut = true));

    await proxy.cut();
    await alice.page.locator('.connection-banner[data-state="reconnecting"]').waitFor();
    await snap(alice.page, 'network-cut');
    // Alice types while offline; Bob keeps talking.
    await alice.page.getByLabel('message', { exact: true }).fill('typed while offline');
    await alice.page.getByLabel('message', { exact: true }).press('Enter');
    for (let i = 1; i <= 5; i++) await say(bob.page, `said during the cut ${i}`);

    await proxy.restore();
    await alice.page.locator('.connection-banner').waitFor({ state: 'detached' });
    // A line said after everything else: once it is there, a repeat of anything before it would be too.
    await say(bob.page, 'said after the cut');
    await say(alice.page, 'alice is back');
    await lines(alice.page, 'said after the cut').waitFor();
    await lines(bob.page, 'alice is back').waitFor();
    for (let i = 1; i <= 5; i++) expect(await shownCount(alice.page, `said during the cut ${i}`)).toBe(1);
    const order = await alice.page.locator('.messages .line', { hasText: 'said during the cut' }).allTextContents();
    expect(order.map((t) => /cut (\d)/.exec(t)![1])).toEqual(['1', '2', '3', '4', '5']);
    expect(await shownCount(bob.page, 'typed while offline')).toBe(1);
    expect(await shownCount(alice.page, 'typed while offline')).toBe(1);
    expect(await alice.page.evaluate(() => (globalThis as unknown as { beforeCut?: boolean }).beforeCut)).toBe(true);
    // Everything said before the cut is still there once.
    expect(await alice.page.locator('.messages').count()).toBe(1); // one window's view, not those opened before
    expect(await shownCount(alice.page, 'hello bob, welcome to #web')).toBe(1);
    await snap(alice.page, 'network-restored');
  });
  it('keyboard: Alt+J jumps to a window, Alt+↑/↓ walk the list, Esc closes the switcher', async () => {
    const page = alice.page;
    await page.keyboard.press('Alt+KeyJ');
    const switcher = page.getByRole('dialog', { name: 'Jump to a window' });
    await switcher.getByLabel('window name').fill('webirc');
    await page.keyboard.press('Enter');
    await page.locator('.window-title', { hasText: '#webirc' }).waitFor();
    expect(await switcher.count()).toBe(0);
    // The list is #web, bob, testnet (the server window), #webirc.
    await page.keyboard.press('Alt+ArrowUp');
    await page.locator('.window-title', { hasText: /^testnet$/ }).waitFor();
    await page.keyboard.press('Alt+ArrowDown');
    await page.locator('.window-title', { hasText: '#webirc' }).waitFor();
    await page.keyboard.press('Alt+ArrowDown'); // wraps around
    await page.locator('.window-title', { hasText: '#web' }).filter({ hasNotText: 'irc' }).waitFor();
    await page.keyboard.press('Alt+KeyJ');
    await switcher.waitFor();
    await page.keyboard.press('Escape');
    await switcher.waitFor({ state: 'detached' });
  });

  it('a mention or a direct message while the tab is hidden alerts in the title and on the desktop', async () => {
    const page = alice.page;
    await openWindow(page, '#web');
    // The browser's Notification, recorded (headless chromium shows none), with permission given.
    await page.evaluate(() => {
      const shown: { title: string; body: string }[] = [];
      class RecordedNotification {
        static permission = 'granted';
        static requestPermission = () => Promise.resolve('granted');
        onclick: (() => void) | null = null;
        constructor(title: string, options: { body: string }) {
          shown.push({ title, body: options.body });
        }
        close() {}
      }
      Object.assign(globalThis, { Notification: RecordedNotification, shownNotifications: shown });
    });
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByLabel('Desktop notifications for mentions and direct messages').check();
    await page.getByRole('dialog').getByText('saved').waitFor();
    await page.keyboard.press('Escape');

    const setHidden = (hidden: boolean) =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await say(bob.page, 'alice: are you there?');
    await say(bob.page, 'no mention in this one');
    await openWindow(bob.page, 'alice');
    await say(bob.page, 'a direct word');
    await eventually(() => page.title(), (t) => t === '(2) Parley', 'the title alert');
    const shown = await page.evaluate(() => (globalThis as unknown as { shownNotifications: { title: string; body: string }[] }).shownNotifications);
    expect(shown).toEqual([
      { title: '#web', body: 'bob: alice: are you there?' },
      { title: 'bob', body: 'bob: a direct word' },
    ]);
    // The window list counts them too: a mention in #web, a direct message from bob.
    expect(await windowItem(page, 'bob').locator('.badge.mention').textContent()).toBe('1');
    await setHidden(false);
    await eventually(() => page.title(), (t) => t === 'Parley', 'the title back');
    await snap(page, 'after-alerts');
  });

  it('works on a phone-sized screen: the window list opens over the messages', async () => {
    const page = bob.page;
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.locator('.sidebar').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'windows' }).click();
    await page.locator('.sidebar').waitFor({ state: 'visible' });
    await snap(page, 'phone-window-list');
    await windowItem(page, '#web').click();
    await page.locator('.window-title', { hasText: '#web' }).waitFor();
    await page.locator('.sidebar').waitFor({ state: 'hidden' });
    await say(page, 'typed on a phone');
    expect(await shownCount(alice.page, 'typed on a phone')).toBe(1);
    await snap(page, 'phone-room');
    await page.setViewportSize({ width: 1200, height: 800 });
  });

  it('loads older history with FETCH when scrolled to the top', async () => {
    const carol = await registerUser(direct, 'carol');
    const { c } = await connectedSession(direct, carol.token);
    clients.push(c);
    const { windowId } = ok(await c.request({ id: 'JOIN', network: 'parley', name: '#web' }));
    const count = 150;
    const tag = (i: number) => `[h${String(i).padStart(3, '0')}]`;
    for (let i = 1; i <= count; i++) ok(await c.request({ id: 'SEND', windowId, text: `history ${tag(i)}`, clientMsgId: `h-${i}` }));

    // A reload: the burst carries the newest 100 messages of each window, not the first ones.
    const page = alice.page;
    await page.reload();
    await page.locator('.window-title', { hasText: '#web' }).filter({ hasNotText: 'irc' }).waitFor();
    await lines(page, tag(count)).waitFor();
    expect(await lines(page, tag(1)).count()).toBe(0);
    await page.locator('.messages').evaluate((el) => (el.scrollTop = 0));
    await lines(page, tag(1)).waitFor();
    const shown = (await page.locator('.messages .line', { hasText: 'history [h' }).allTextContents()).map((t) => Number(/\[h(\d+)\]/.exec(t)![1]));
    expect(shown).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    await snap(page, 'scrollback');
  });

  it('forgot password: the e-mailed link sets a new one; log out everywhere; log in again', async () => {
    const page = bob.page;
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByRole('button', { name: 'Log out everywhere' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();

    await page.getByRole('link', { name: 'Forgot password?' }).click();
    // The screen changes on the hash: wait for it, or the login form's fields are filled instead.
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await page.getByLabel('E-mail', { exact: true }).fill('bob@example.com');
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('status').filter({ hasText: 'on its way' }).waitFor();
    const mailDir = join(dir, 'mail');
    const mail = await eventually(
      () => {
        try {
          return readdirSync(mailDir)
            .filter((f) => f.endsWith('.eml'))
            .map((f) => readFileSync(join(mailDir, f), 'utf8'))
            .find((m) => m.includes('To: bob@example.com'));
        } catch {
          return undefined; // the folder is made with the first mail
        }
      },
      (m) => m !== undefined,
      'the reset e-mail',
    );
    const link = /(#\/reset-password\?token=[A-Za-z0-9_-]+)/.exec(mail!)![1]!;
    await page.goto(`${direct}/${link}`);
    await page.getByLabel('New password').fill('a brand new password');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.getByRole('status').filter({ hasText: 'password is changed' }).waitFor();
    await snap(page, 'password-reset');

    await logIn(page, 'bob@example.com', 'correct horse battery');
    await refused(page);
    await page.getByLabel('Password', { exact: true }).fill('a brand new password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await windowItem(page, '#web').waitFor();
    // The link works once.
    const again = await page.context().newPage();
    await again.goto(`${direct}/${link}`);
    await again.getByLabel('New password').fill('yet another password');
    await again.getByRole('button', { name: 'Set the password' }).click();
    await again.locator('.field-error, .form-error').filter({ hasText: /unknown, used or expired/ }).waitFor();
    await again.close();
  });
  it('log out on one device keeps the others; log out everywhere sends every page to the login screen', async () => {
    const phone = await openPage('bob-phone');
    const bobOn = async (page: Page) => {
      await logIn(page, 'bob', 'a brand new password');
      await windowItem(page, '#web').waitFor();
    };
    await bobOn(phone);
    await phone.getByRole('button', { name: 'Settings', exact: true }).click();
    await phone.getByRole('button', { name: 'Log out', exact: true }).click();
    await phone.getByRole('heading', { name: 'Log in' }).waitFor();
    await phone.getByRole('status').filter({ hasText: 'You are logged out.' }).waitFor();
    // The other page of bob goes on.
    await openWindow(bob.page, '#web');
    await say(bob.page, 'still here after the phone logged out');
    expect(await shownCount(alice.page, 'still here after the phone logged out')).toBe(1);

    await bobOn(phone);
    await phone.getByRole('button', { name: 'Settings', exact: true }).click();
    await phone.getByRole('button', { name: 'Log out everywhere' }).click();
    await phone.getByRole('heading', { name: 'Log in' }).waitFor();
    // The first page's session was ended with its login: it says so at the login screen.
    await bob.page.getByRole('heading', { name: 'Log in' }).waitFor();
    await snap(bob.page, 'logged-out-elsewhere');
    await phone.context().close();
  });
});
