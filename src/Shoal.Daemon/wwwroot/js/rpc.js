// The one way the page talks to the daemon: Transmission RPC over POST /transmission/rpc.
// The server answers 409 with a fresh X-Transmission-Session-Id when ours is missing or stale (its CSRF guard);
// we keep the id it sends and retry once.

const RPC_PATH = '/transmission/rpc';
let sessionId = '';
let tag = 0;

/** Thrown when the daemon answers with a non-"success" result or an HTTP error. */
export class RpcError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'RpcError';
    this.status = status;
  }
}

async function post(body) {
  return fetch(RPC_PATH, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Transmission-Session-Id': sessionId },
    body,
    credentials: 'same-origin',
    cache: 'no-store',
  });
}

/**
 * Calls one RPC method and returns its `arguments` object.
 * @param {string} method e.g. "torrent-get"
 * @param {object} [args]
 */
export async function rpc(method, args = {}) {
  const body = JSON.stringify({ method, arguments: args, tag: ++tag });
  let response = await post(body);
  if (response.status === 409) {
    sessionId = response.headers.get('X-Transmission-Session-Id') || '';
    response = await post(body);
  }
  if (!response.ok) {
    throw new RpcError(`HTTP ${response.status} ${response.statusText}`.trim(), response.status);
  }
  const json = await response.json();
  if (json.result !== 'success') {
    throw new RpcError(String(json.result || 'unknown error'), response.status);
  }
  return json.arguments || {};
}
