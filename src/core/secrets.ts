/** What every reader sees in place of a secret it did not (or may not) decrypt: store, logs, API, CLI. */
export const SECRET_MASK = '********';
