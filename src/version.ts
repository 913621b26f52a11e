/** Tool version, recorded in every run. Bump it (and CHANGELOG.md) whenever scores or formats change. */
export const VERSION = '0.2.0';
