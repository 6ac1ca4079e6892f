/**
 * The customer phone's HTML: a shell with the sandbox banner and the page configuration; the
 * script draws the rest (customer-phone-view.ts).
 */
import { scriptJson } from '../../security/html-escape.ts';
import { ASSET_PATHS, SANDBOX_BANNER } from '../sandbox-page.ts';
import { CUSTOMER_PHONE_CONFIG_ELEMENT_ID, type CustomerPhoneConfig } from './customer-phone-config.ts';

export const CUSTOMER_PHONE_PATHS = {
  page: '/customer-phone',
  script: '/_sandbox/customer-phone.js',
  setup: '/_sandbox/customer-phone/setup',
} as const;

export function renderCustomerPhonePage(config: CustomerPhoneConfig): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Customer phone - Dynamics 365 (local sandbox)</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSET_PATHS.css}">
</head>
<body class="customer-phone-body">
<div class="sandbox-banner" role="note"><strong>${SANDBOX_BANNER}</strong> — a customer's phone: it calls the company's demo number through the demo carrier, as a caller from outside would.</div>
<main id="customer-phone" class="customer-phone"></main>
<script type="application/json" id="${CUSTOMER_PHONE_CONFIG_ELEMENT_ID}">${scriptJson(config)}</script>
<script type="module" src="${CUSTOMER_PHONE_PATHS.script}"></script>
</body>
</html>
`;
}
