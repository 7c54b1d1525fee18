// Certificates: an award as an A4 PDF, drawn in the script of every name. Served as a plain HTTP
// route; other modules use certificates through this file only.
export { CertificateRenderer, handleCertificateRequest } from './http.js';
export { ImageFetcher } from './images.js';
