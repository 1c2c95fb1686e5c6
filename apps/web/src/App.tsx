/**
 * The client's top level: the account screens until the login cookie is good, then the chat.
 * Routes are in the hash (`#/login`, `#/register`, `#/forgot`, `#/reset-password?token=…`) so
 * the gateway serves one page and e-mailed links open the right screen.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiFailure, api } from './lib/api';
import { Chat } from './lib/chat';
import { chime } from './lib/sound';
import { AuthScreens, type AuthRoute } from './components/AuthScreens';
import { ChatScreen } from './components/ChatScreen';

interface Route {
  auth: AuthRoute;
  token?: string;
}

export function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const token = new URLSearchParams(query).get('token') ?? undefined;
  switch (path) {
    case 'register':
      return { auth: 'register' };
    case 'forgot':
      return { auth: 'forgot' };
    case 'reset-password':
      return token ? { auth: 'reset', token } : { auth: 'reset' };
    default:
      return { auth: 'login' };
  }
}

function desktopNotify(chat: Chat) {
  return (title: string, body: string, windowId: number) => {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted' || chat.state.settings.desktopNotifications !== true) return;
    const n = new Notification(title, { body: body.slice(0, 200), tag: `parley-${windowId}` });
    n.onclick = () => {
      window.focus();
      chat.select(windowId);
      n.close();
    };
  };
}

function LiveChat({ onLoggedOut }: { onLoggedOut: (reason?: string) => void }) {
  // One Chat per mount (useState, not useMemo: React may drop a memo, never state).
  const [chat] = useState(() => {
    const c: Chat = new Chat({ notify: (...args) => desktopNotify(c)(...args), sound: chime, onLoginLost: (reason) => onLoggedOut(reason) });
    return c;
  });
  useEffect(() => {
    const focus = () => chat.dispatch({ type: 'focus', focused: !document.hidden && document.hasFocus() });
    document.addEventListener('visibilitychange', focus);
    window.addEventListener('focus', focus);
    window.addEventListener('blur', focus);
    chat.start().catch(() => onLoggedOut('the login is no longer valid; log in again')); // the cookie was not accepted
    return () => {
      document.removeEventListener('visibilitychange', focus);
      window.removeEventListener('focus', focus);
      window.removeEventListener('blur', focus);
      chat.stop();
    };
  }, [chat, onLoggedOut]);
  const logout = useCallback(
    (all: boolean) => {
      // The socket goes first: the server's terminate for this very logout is not news here.
      chat.stop();
      api
        .logout(all)
        .catch(() => undefined) // logged out already: the screen goes back to the login either way
        .finally(() => onLoggedOut(all ? 'You are logged out on every device.' : 'You are logged out.'));
    },
    [chat, onLoggedOut],
  );
  const deleted = useCallback(() => {
    chat.stop();
    onLoggedOut('Your account is deleted.');
  }, [chat, onLoggedOut]);
  return <ChatScreen chat={chat} onLogout={logout} onDeleted={deleted} />;
}

const PROFILE_RETRY_MS = 3_000;

export function App() {
  const [route, setRoute] = useState<Route>(() => parseHash(window.location.hash));
  const [session, setSession] = useState<'checking' | 'unreachable' | 'in' | 'out'>('checking');
  const [notice, setNotice] = useState<string | undefined>();
  useEffect(() => {
    const onHash = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    // Only a 401 means "not logged in"; a gateway that is restarting is asked again.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const check = () =>
      api
        .profile()
        .then(() => !stopped && setSession('in'))
        .catch((err: unknown) => {
          if (stopped) return;
          if (err instanceof ApiFailure && err.status === 401) return setSession('out');
          console.warn('parley: the profile check failed; trying again', err);
          setSession('unreachable');
          timer = setTimeout(() => void check(), PROFILE_RETRY_MS);
        });
    void check();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  // Said once per logout: a second word of it (the socket's terminate after the HTTP logout)
  // must not pull the user back to the login screen from the one they went on to.
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const loggedOut = useCallback((reason?: string) => {
    if (sessionRef.current === 'out') return;
    sessionRef.current = 'out';
    setNotice(reason);
    setSession('out');
    window.location.hash = '#/login';
  }, []);
  if (session === 'checking') return <div className="splash">Parley</div>;
  if (session === 'unreachable') return <div className="splash">Parley cannot be reached right now; trying again…</div>;
  // A reset link works whether or not this browser is logged in.
  if (session === 'out' || (route.auth === 'reset' && route.token)) {
    const screen = session === 'in' && route.auth !== 'reset' ? 'login' : route.auth;
    return (
      // Keyed by screen: each form starts empty (the forgot form's "sent" must not show on the next one).
      <AuthScreens
        key={screen}
        route={screen}
        {...(notice && screen === 'login' ? { notice } : {})}
        {...(route.token ? { resetToken: route.token } : {})}
        onLoggedIn={() => {
          window.location.hash = '';
          setNotice(undefined);
          setRoute({ auth: 'login' });
          setSession('in');
        }}
      />
    );
  }
  return <LiveChat onLoggedOut={loggedOut} />;
}
