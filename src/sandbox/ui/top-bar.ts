/**
 * The top bar: the app's name, the global search box and the signed-in user, whose picker
 * switches between the sandbox's system users (each with the language getEnvironment reports as
 * userLcid, and the userId as it reports it, in braces). Switching reloads the page, as signing
 * in as someone else reloads Dynamics and its channel. A link opens the customer phone.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { CUSTOMER_PHONE_PATHS } from '../customer-phone/customer-phone-page.ts';
import { braced } from '../organization.ts';
import type { UiContext } from './ui-context.ts';
import { h, useAppState, type View } from './view-kit.ts';
import { switchUser } from './web-api.ts';

const LANGUAGES: Record<number, string> = { 1033: 'English', 2052: '中文(简体)' };

export function languageName(lcid: number): string {
  return `${LANGUAGES[lcid] ?? 'Language'} (${lcid})`;
}

export function TopBar({ ui }: { ui: UiContext }): View {
  useAppState(ui.state);
  const [open, setOpen] = useState(false);
  const picker = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return undefined;
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !picker.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('pointerdown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  const { config } = ui;
  const user = config.users.find((u) => u.id === config.currentUserId);
  const onSearch = (event: Event) => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('q') as HTMLInputElement;
    if (input.value.trim()) ui.state.navigate({ page: 'search', searchText: input.value.trim() });
  };
  const choose = async (userId: string) => {
    setOpen(false);
    if (userId === config.currentUserId) return;
    await switchUser(userId);
    location.reload();
  };
  return h(
    'div',
    { class: 'topbar-inner' },
    h('span', { class: 'waffle', 'aria-hidden': 'true' }, '⋮⋮⋮'),
    h('span', { class: 'brand' }, 'Dynamics 365'),
    h('span', { class: 'brand-separator' }, '|'),
    h('span', { class: 'app-name' }, config.org.appName),
    h(
      'form',
      { class: 'global-search', role: 'search', onSubmit: onSearch },
      h('input', { name: 'q', type: 'search', placeholder: 'Search', 'aria-label': 'Search Dynamics 365' }),
    ),
    // Not Dynamics: the sandbox's customer who calls the company (opens beside this page).
    h('a', { class: 'topbar-link', href: CUSTOMER_PHONE_PATHS.page, target: '_blank', rel: 'noopener', title: 'Call the company as a customer' }, 'Customer phone'),
    h(
      'div',
      { class: 'user-picker', ref: picker },
      h(
        'button',
        { type: 'button', class: 'user-button', 'aria-haspopup': 'listbox', 'aria-expanded': open, title: 'Signed in as (switch user)', onClick: () => setOpen(!open) },
        h('span', { class: 'user-avatar' }, initialsOf(user?.fullname ?? '?')),
        h('span', { class: 'user-name' }, user?.fullname ?? 'Unknown user'),
        h('span', { class: 'user-language' }, user ? languageName(user.lcid) : ''),
      ),
      open
        ? h(
            'ul',
            { class: 'user-menu', role: 'listbox', 'aria-label': 'Sign in as' },
            config.users.map((u) =>
              h(
                'li',
                { key: u.id, role: 'option', 'aria-selected': u.id === config.currentUserId, class: u.id === config.currentUserId ? 'current' : '', onClick: () => choose(u.id) },
                h('span', { class: 'user-avatar' }, initialsOf(u.fullname)),
                h('span', { class: 'user-details' }, h('strong', null, u.fullname), h('span', null, `${languageName(u.lcid)} · ${u.email ?? ''}`), h('code', null, braced(u.id))),
              ),
            ),
          )
        : null,
    ),
  );
}

function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  if (first === undefined) return '?';
  const last = rest.at(-1);
  return last === undefined ? [...first].slice(0, 2).join('').toUpperCase() : (first.charAt(0) + last.charAt(0)).toUpperCase();
}
