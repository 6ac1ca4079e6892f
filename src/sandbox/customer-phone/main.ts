/** Start of the customer phone page: reads the page configuration and draws the phone. */
import { h, render } from 'preact';
import { CUSTOMER_PHONE_CONFIG_ELEMENT_ID, type CustomerPhoneConfig } from './customer-phone-config.ts';
import { CustomerPhone } from './customer-phone-view.ts';

const config = JSON.parse(document.getElementById(CUSTOMER_PHONE_CONFIG_ELEMENT_ID)?.textContent ?? '{}') as CustomerPhoneConfig;
render(h(CustomerPhone, { config }), document.getElementById('customer-phone') as HTMLElement);
