// Organizations: the tenants. Other modules, and the command line, use them through this file only.
export { bootstrap, createOrganization, updateOrganization, type OrganizationProfileInput } from './service.js';
export { whitelabelScope } from './public-host.js';
