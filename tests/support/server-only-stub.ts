// Tests run outside React's server environment, where the `server-only` marker would throw.
export {};
