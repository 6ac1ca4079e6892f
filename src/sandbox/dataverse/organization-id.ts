/** The sandbox organization's id, as WhoAmI and getEnvironment report it (a leaf module: the browser bundle imports it too). */
export const SANDBOX_ORGANIZATION_ID = '0e9a0000-0000-4000-8000-000000000001';
