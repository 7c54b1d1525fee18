// Public pages: the award page every public link points to. The app mounts its routes.
export { PublicPageRoutes } from './http.js';
