/**
 * The customer phone's HTML: a shell with the sandbox banner and the page configuration; the
 * script draws the rest (customer-phone-view.ts).
 */
import { renderSandboxDocument } from '../sandbox-page.ts';
import { CUSTOMER_PHONE_CONFIG_ELEMENT_ID, type CustomerPhoneConfig } from './customer-phone-config.ts';

export const CUSTOMER_PHONE_PATHS = {
  page: '/customer-phone',
  script: '/_sandbox/customer-phone.js',
  setup: '/_sandbox/customer-phone/setup',
} as const;

export function renderCustomerPhonePage(config: CustomerPhoneConfig): string {
  return renderSandboxDocument({
    title: 'Customer phone',
    bodyClass: 'customer-phone-body',
    bannerNote: "a customer's phone: it calls the company's demo number through the demo carrier, as a caller from outside would.",
    body: '<main id="customer-phone" class="customer-phone"></main>',
    configElementId: CUSTOMER_PHONE_CONFIG_ELEMENT_ID,
    config,
    script: CUSTOMER_PHONE_PATHS.script,
  });
}
