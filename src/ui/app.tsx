// The shell: who is logged in, the navigation, the theme, and which page the URL's fragment names.
import { useCallback, useEffect, useState } from 'react';
import { ApiError, get, post, type Me } from './api';
import { DesignerPage } from './pages/designer';
import { ExecutionPage } from './pages/execution';
import { FeedPage } from './pages/feed';
import { InventoryPage } from './pages/inventory';
import { LoginPage } from './pages/login';
import { RulesPage } from './pages/rules';

export function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

type Theme = 'light' | 'dark';
function initialTheme(): Theme {
  const saved = localStorage.getItem('nrx-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const hash = useHash();

  const whoami = useCallback(async () => {
    try {
      setMe(await get<Me>('/api/v1/auth/whoami'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setMe(null);
      else throw e;
    }
  }, []);
  useEffect(() => void whoami(), [whoami]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('nrx-theme', theme);
  }, [theme]);

  if (me === undefined) return <div className="loading">Loading…</div>;
  if (me === null) return <LoginPage onLogin={whoami} />;

  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const parts = (path || '/feed').split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  let page;
  if (parts[0] === 'executions' && parts[1]) page = <ExecutionPage key={parts[1]} id={decodeURIComponent(parts[1])} me={me} />;
  else if (parts[0] === 'rules') page = <RulesPage me={me} />;
  else if (parts[0] === 'inventory') page = <InventoryPage me={me} />;
  else if (parts[0] === 'designer') page = <DesignerPage me={me} initialRef={params.get('ref')} />;
  else page = <FeedPage />;

  const logout = async () => {
    await post('/api/v1/auth/logout').catch(() => {});
    setMe(null);
  };
  const nav = (href: string, label: string, active: boolean) => (
    <a href={href} className={active ? 'active' : ''} aria-current={active ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <div className="shell">
      <header>
        <span className="brand">netreflex</span>
        <nav>
          {nav('#/feed', 'Live feed', parts[0] === 'feed' || parts.length === 0 || parts[0] === 'executions')}
          {nav('#/rules', 'Rules', parts[0] === 'rules')}
          {nav('#/inventory', 'Inventory', parts[0] === 'inventory')}
          {nav('#/designer', 'Flow designer', parts[0] === 'designer')}
        </nav>
        <span className="who" data-testid="who">
          {me.user} <span className={`role role-${me.role}`}>{me.role}</span>
        </span>
        <button type="button" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label="switch theme">
          {theme === 'dark' ? 'Light' : 'Dark'}
        </button>
        <button type="button" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      <main>{page}</main>
    </div>
  );
}
