import { useState, type FormEvent } from 'react';
import { ApiError, get, post } from '../api';

export function LoginPage({ onLogin }: { onLogin: () => Promise<void> }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await post('/api/v1/auth/login', { user, password });
      try {
        await get('/api/v1/auth/whoami');
      } catch {
        // the token was issued but the browser refused the Secure cookie: plain http from afar
        setError(
          'Logged in, but this browser will not keep the session cookie over plain http. Reach the UI over https (TLS or a reverse proxy), or on 127.0.0.1.',
        );
        return;
      }
      await onLogin();
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message} (${err.code})` : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="login" onSubmit={(e) => void submit(e)} aria-label="log in">
      <h1>netreflex</h1>
      <label>
        User
        <input name="user" autoComplete="username" value={user} onChange={(e) => setUser(e.target.value)} autoFocus required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </label>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        Log in
      </button>
    </form>
  );
}
