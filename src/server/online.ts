/**
 * When a device counts as online, the same everywhere (dashboard, `/metrics`, the console's
 * device list): it made a request within the last two minutes. Agents long-poll continuously
 * and heartbeat every 30 s, so a live agent is never silent that long.
 *
 * @module
 */
export const ONLINE_WITHIN_MS = 2 * 60_000;
