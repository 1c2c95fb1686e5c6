/**
 * Register, log in (nick or e-mail), forgot password and reset password (the e-mailed link opens
 * `#/reset-password?token=…`). The server's field errors are shown next to their fields.
 */
import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiFailure, api } from '../lib/api';
import { Field } from './Field';

export type AuthRoute = 'login' | 'register' | 'forgot' | 'reset';

interface Props {
  route: AuthRoute;
  resetToken?: string;
  /** Why the user is here (logged out elsewhere, say), shown above the form. */
  notice?: string;
  onLoggedIn: () => void;
}

interface FormState {
  busy: boolean;
  error?: string;
  fields: Record<string, string>;
  done?: string;
}

function useForm() {
  const [state, setState] = useState<FormState>({ busy: false, fields: {} });
  const run = async (e: FormEvent, action: () => Promise<string | void>) => {
    e.preventDefault();
    setState({ busy: true, fields: {} });
    try {
      const done = await action();
      setState({ busy: false, fields: {}, ...(done ? { done } : {}) });
    } catch (err) {
      if (err instanceof ApiFailure) {
        const named = Object.keys(err.fields).length > 0;
        setState({ busy: false, fields: err.fields, ...(named ? {} : { error: err.message }) });
      } else setState({ busy: false, fields: {}, error: String(err) });
    }
  };
  return { state, run };
}

function Card({ title, children, footer }: { title: string; children: ReactNode; footer: ReactNode }) {
  return (
    <main className="auth">
      <div className="auth-card">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} /> Parley
        </div>
        <h1>{title}</h1>
        {children}
        <div className="auth-footer">{footer}</div>
      </div>
    </main>
  );
}

const value = (form: HTMLFormElement, name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '';

export function AuthScreens({ route, resetToken, notice, onLoggedIn }: Props) {
  const { state, run } = useForm();
  // Links change the hash and App follows it (a click handler that re-rendered first would let
  // the browser follow the href of whatever link React put in this one's place).
  const link = (to: Exclude<AuthRoute, 'reset'>, text: string) => <a href={`#/${to}`}>{text}</a>;
  const general = state.error ? (
    <div className="form-error" role="alert">
      {state.error}
    </div>
  ) : null;

  if (route === 'register') {
    return (
      <Card title="Create your account" footer={<>Have an account? {link('login', 'Log in')}</>}>
        <form
          aria-label="register"
          onSubmit={(e) =>
            void run(e, async () => {
              const f = e.currentTarget;
              const body = { name: value(f, 'name'), email: value(f, 'email'), nick: value(f, 'nick'), password: value(f, 'password') };
              await api.register(body);
              await api.login({ username: body.nick, password: body.password });
              onLoggedIn();
            })
          }
        >
          <Field label="Name" name="name" autoComplete="name" required error={state.fields.name} />
          <Field label="E-mail" name="email" type="email" autoComplete="email" required error={state.fields.email} />
          <Field label="Nick" name="nick" autoComplete="username" required error={state.fields.nick} />
          <Field label="Password" name="password" type="password" autoComplete="new-password" required error={state.fields.password} />
          {general}
          <button type="submit" className="primary" disabled={state.busy}>
            Create account
          </button>
        </form>
      </Card>
    );
  }
  if (route === 'forgot') {
    return (
      <Card title="Forgot your password?" footer={link('login', 'Back to log in')}>
        {state.done ? (
          <p className="form-done" role="status">
            {state.done}
          </p>
        ) : (
          <form
            aria-label="forgot password"
            onSubmit={(e) =>
              void run(e, async () => {
                await api.requestReset(value(e.currentTarget, 'email'));
                return 'If an account has this address, a link to choose a new password is on its way. It works once, for a day.';
              })
            }
          >
            <Field label="E-mail" name="email" type="email" autoComplete="email" required error={state.fields.email} />
            {general}
            <button type="submit" className="primary" disabled={state.busy}>
              Send the link
            </button>
          </form>
        )}
      </Card>
    );
  }
  if (route === 'reset') {
    return (
      <Card title="Choose a new password" footer={link('login', 'Back to log in')}>
        {state.done ? (
          <p className="form-done" role="status">
            {state.done} {link('login', 'Log in')}
          </p>
        ) : !resetToken ? (
          <div className="form-error" role="alert">
            This link has no reset token. Ask for a new link.
          </div>
        ) : (
          <form
            aria-label="reset password"
            onSubmit={(e) =>
              void run(e, async () => {
                await api.confirmReset(resetToken, value(e.currentTarget, 'password'));
                // The token is spent: it leaves the address bar and the history.
                window.history.replaceState(null, '', `${window.location.pathname}#/reset-password`);
                return 'Your password is changed; every session of your account was ended.';
              })
            }
          >
            <Field label="New password" name="password" type="password" autoComplete="new-password" required error={state.fields.password ?? state.fields.token} />
            {general}
            <button type="submit" className="primary" disabled={state.busy}>
              Set the password
            </button>
          </form>
        )}
      </Card>
    );
  }
  return (
    <Card
      title="Log in"
      footer={
        <>
          New here? {link('register', 'Create an account')} · {link('forgot', 'Forgot password?')}
        </>
      }
    >
      {notice ? (
        <p className="form-done" role="status">
          {notice}
        </p>
      ) : null}
      <form
        aria-label="log in"
        onSubmit={(e) =>
          void run(e, async () => {
            const f = e.currentTarget;
            await api.login({ username: value(f, 'username'), password: value(f, 'password') });
            onLoggedIn();
          })
        }
      >
        <Field label="Nick or e-mail" name="username" autoComplete="username" required error={state.fields.username} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required error={state.fields.password} />
        {general}
        <button type="submit" className="primary" disabled={state.busy}>
          Log in
        </button>
      </form>
    </Card>
  );
}
