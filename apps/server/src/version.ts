/** The MediaGen version (OpenAPI info, health, provenance marks). */
export const VERSION = '0.1.0';
