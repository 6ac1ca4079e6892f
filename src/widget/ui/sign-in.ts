/** Sign-in with an extension number or e-mail and the password (SSO comes later). */
import { useState } from 'preact/hooks';
import { h, usePane, type View } from './view-kit.ts';

export function SignIn(): View {
  const { controller, state, t } = usePane();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const submit = (event: Event) => {
    event.preventDefault();
    if (login.trim() === '' || password === '' || state.signingIn) return;
    void controller.signIn(login, password);
  };
  return h(
    'form',
    { class: 'sign-in', onSubmit: submit, 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title', class: 'title' }, t('signInTitle')),
    h('label', { class: 'field' }, h('span', null, t('loginLabel')), h('input', {
      name: 'login',
      type: 'text',
      autocomplete: 'username',
      required: true,
      value: login,
      onInput: (event: Event) => setLogin((event.target as HTMLInputElement).value),
    })),
    h('label', { class: 'field' }, h('span', null, t('passwordLabel')), h('input', {
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
      value: password,
      onInput: (event: Event) => setPassword((event.target as HTMLInputElement).value),
    })),
    h('button', { type: 'submit', class: 'btn btn-primary wide', disabled: state.signingIn }, state.signingIn ? t('signingIn') : t('signIn')),
  );
}
