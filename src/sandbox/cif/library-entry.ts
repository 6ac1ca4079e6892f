/**
 * Entry of /webresources/Widget/msdyn_ciLibrary.js (bundled as a classic script): finds its own
 * script tag (`data-cifid="CIFMainLibrary"`, `data-crmurl`), installs `Microsoft.CIFramework`
 * on the channel's window and starts the handshake with the CRM page; CIFInitDone follows.
 */
import { createCifFramework, resolveCrmOrigin } from './cif-library.ts';

const LIBRARY_ID = 'CIFMainLibrary';

function install(): void {
  const script = document.currentScript ?? document.querySelector(`script[data-cifid="${LIBRARY_ID}"]`);
  const crmOrigin = resolveCrmOrigin(script?.getAttribute('data-crmurl'), document.referrer);
  if (!crmOrigin) {
    console.error('msdyn_ciLibrary.js: no CRM URL (data-crmurl on the script tag, or a referrer); Channel Integration Framework is not available.');
    return;
  }
  const holder = window as unknown as { Microsoft?: { CIFramework?: unknown } };
  holder.Microsoft ??= {};
  if (holder.Microsoft.CIFramework) return;
  const framework = createCifFramework({ window, crmOrigin });
  holder.Microsoft.CIFramework = framework.api;
  framework.start();
}

install();
