/**
 * Sign-in: one button per identity provider the server offers (a popup, sso-sign-in.ts), then
 * the extension number or e-mail and the password.
 */
import { useState } from 'preact/hooks';
import type { SsoButton } from '../api/api-types.ts';
import { h, usePane, type View } from './view-kit.ts';

export function SignIn(): View {
  const { pane, state, t } = usePane();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const submit = (event: Event) => {
    event.preventDefault();
    if (login.trim() === '' || password === '' || state.signingIn) return;
    void pane.session.signIn(login, password);
  };
  return h(
    'div',
    { class: 'sign-in' },
    h('h1', { id: 'sign-in-title', class: 'title' }, t('signInTitle')),
    state.ssoProviders.length > 0 ? h(SsoButtons, null) : null,
    h(
      'form',
      { onSubmit: submit, 'aria-labelledby': 'sign-in-title' },
      state.ssoProviders.length > 0 ? h('p', { class: 'divider muted' }, t('ssoOr')) : null,
      h(
        'label',
        { class: 'field' },
        h('span', null, t('loginLabel')),
        h('input', {
          name: 'login',
          type: 'text',
          autocomplete: 'username',
          required: true,
          value: login,
          onInput: (event: Event) => setLogin((event.target as HTMLInputElement).value),
        }),
      ),
      h(
        'label',
        { class: 'field' },
        h('span', null, t('passwordLabel')),
        h('input', {
          name: 'password',
          type: 'password',
          autocomplete: 'current-password',
          required: true,
          value: password,
          onInput: (event: Event) => setPassword((event.target as HTMLInputElement).value),
        }),
      ),
      h('button', { type: 'submit', class: 'btn btn-primary wide', disabled: state.signingIn }, state.signingIn ? t('signingIn') : t('signIn')),
    ),
  );
}

function SsoButtons(): View {
  const { pane, state, t } = usePane();
  const sso = state.sso;
  if (sso.phase === 'waiting') {
    return h(
      'div',
      { class: 'sso', role: 'status' },
      h('p', null, t('ssoWaiting')),
      h('button', { type: 'button', class: 'btn wide', onClick: () => pane.session.cancelSso() }, t('ssoCancel')),
    );
  }
  const button = (provider: SsoButton) =>
    h(
      'button',
      { key: provider.id, type: 'button', class: `btn wide sso-${provider.kind}`, onClick: () => pane.session.signInWith(provider.id) },
      t('ssoWith', { label: provider.label }),
    );
  return h(
    'div',
    { class: 'sso' },
    sso.phase === 'blocked'
      ? h(
          'div',
          { class: 'notice notice-error', role: 'alert' },
          h('span', null, t('ssoBlocked')),
          ' ',
          h('button', { type: 'button', class: 'btn small', onClick: () => pane.session.signInWith(sso.providerId) }, t('ssoRetry')),
        )
      : null,
    state.ssoProviders.map(button),
  );
}
