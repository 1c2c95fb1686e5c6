/**
 * The client's top level: the account screens until the login cookie is good, then the chat.
 * Routes are in the hash (`#/login`, `#/register`, `#/forgot`, `#/reset-password?token=…`) so
 * the gateway serves one page and e-mailed links open the right screen.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
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

function LiveChat({ onLoggedOut }: { onLoggedOut: () => void }) {
  const chat = useMemo(() => {
    const c: Chat = new Chat({ notify: (...args) => desktopNotify(c)(...args), sound: chime });
    return c;
  }, []);
  useEffect(() => {
    const focus = () => chat.dispatch({ type: 'focus', focused: !document.hidden && document.hasFocus() });
    document.addEventListener('visibilitychange', focus);
    window.addEventListener('focus', focus);
    window.addEventListener('blur', focus);
    chat.start().catch(() => onLoggedOut()); // the cookie was not accepted
    return () => {
      document.removeEventListener('visibilitychange', focus);
      window.removeEventListener('focus', focus);
      window.removeEventListener('blur', focus);
      chat.stop();
    };
  }, [chat, onLoggedOut]);
  const logout = useCallback(
    (all: boolean) => {
      api
        .logout(all)
        .catch(() => undefined) // logged out already: the screen goes back to the login either way
        .finally(() => {
          chat.stop();
          onLoggedOut();
        });
    },
    [chat, onLoggedOut],
  );
  return <ChatScreen chat={chat} onLogout={logout} />;
}

export function App() {
  const [route, setRoute] = useState<Route>(() => parseHash(window.location.hash));
  const [session, setSession] = useState<'checking' | 'in' | 'out'>('checking');
  useEffect(() => {
    const onHash = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    api
      .profile()
      .then(() => setSession('in'))
      .catch((err: unknown) => {
        if (!(err instanceof ApiFailure) || err.status !== 401) console.error('profile check failed', err);
        setSession('out');
      });
  }, []);
  const loggedOut = useCallback(() => {
    setSession('out');
    window.location.hash = '#/login';
  }, []);
  if (session === 'checking') return <div className="splash">Parley</div>;
  // A reset link works whether or not this browser is logged in.
  if (session === 'out' || (route.auth === 'reset' && route.token)) {
    const screen = session === 'in' && route.auth !== 'reset' ? 'login' : route.auth;
    return (
      // Keyed by screen: each form starts empty (the forgot form's "sent" must not show on the next one).
      <AuthScreens
        key={screen}
        route={screen}
        {...(route.token ? { resetToken: route.token } : {})}
        onLoggedIn={() => {
          window.location.hash = '';
          setRoute({ auth: 'login' });
          setSession('in');
        }}
      />
    );
  }
  return <LiveChat onLoggedOut={loggedOut} />;
}
