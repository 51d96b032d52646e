/**
 * The environment every benchmarked command runs in. `NODE_EXTRA_CA_CERTS` makes Node read and
 * parse that certificate file when it starts (about 70 ms per process on the benchmark machine,
 * whose package proxy sets it): a cost of that machine's set-up, not of any scan, which a user's
 * machine does not pay. It is removed before anything is run, and the reports say so.
 *
 * @module
 */

/** Set when the run removed something from the environment: what, for the report. */
export const environmentNote: string | undefined = dropStartupOnlyVariables();

function dropStartupOnlyVariables(): string | undefined {
  const file = process.env["NODE_EXTRA_CA_CERTS"];
  if (file === undefined) return undefined;
  delete process.env["NODE_EXTRA_CA_CERTS"];
  return `NODE_EXTRA_CA_CERTS (${file}) was unset for every command: this machine sets it for its package proxy, and Node parses that file at every start-up (about 70 ms here), which no scan needs`;
}
