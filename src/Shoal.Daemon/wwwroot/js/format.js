// Numbers for people: sizes, rates, durations, states. Pure functions (no DOM).

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function size(bytes) {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${UNITS[unit]}`;
}

export function rate(bytesPerSecond) {
  return `${size(Math.max(0, Math.round(bytesPerSecond || 0)))}/s`;
}

/** Transmission's eta: seconds, -1 when unknown, -2 when it will never finish. */
export function eta(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return seconds === -2 ? '∞' : '–';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(seconds / 86400)}d ${Math.floor((seconds % 86400) / 3600)}h`;
}

export function percent(fraction) {
  const p = Math.max(0, Math.min(1, fraction || 0)) * 100;
  return p >= 100 ? '100%' : `${p.toFixed(1)}%`;
}

/** Transmission's torrent status numbers (tr_torrent_activity). */
export const Status = Object.freeze({
  Stopped: 0, CheckWait: 1, Check: 2, DownloadWait: 3, Download: 4, SeedWait: 5, Seed: 6,
});

const STATUS_NAMES = ['Paused', 'Queued to verify', 'Verifying', 'Queued', 'Downloading', 'Queued to seed', 'Seeding'];

/** A short state word for a torrent from torrent-get fields. */
export function stateText(t) {
  if (t.error) return 'Error';
  // Transmission's isFinished: stopped because a seed limit was reached, not by the user.
  if (t.status === Status.Stopped && t.isFinished) return 'Finished';
  if (t.status === Status.Download && t.metadataPercentComplete !== undefined && t.metadataPercentComplete < 1) {
    return 'Fetching metadata';
  }
  return STATUS_NAMES[t.status] ?? 'Unknown';
}

/** A CSS-friendly state key (for colours): error, paused, checking, queued, downloading, seeding. */
export function stateKey(t) {
  if (t.error) return 'error';
  switch (t.status) {
    case Status.Stopped: return 'paused';
    case Status.CheckWait: case Status.Check: return 'checking';
    case Status.DownloadWait: case Status.SeedWait: return 'queued';
    case Status.Download: return 'downloading';
    case Status.Seed: return 'seeding';
    default: return 'unknown';
  }
}

export const PRIORITIES = Object.freeze([
  { value: 1, label: 'High' },
  { value: 0, label: 'Normal' },
  { value: -1, label: 'Low' },
]);

/** A unix time (seconds) relative to now ("in 4m 10s", "12s ago"), or a dash for 0/unknown. */
export function relative(unixSeconds, nowMs = Date.now()) {
  if (!unixSeconds || unixSeconds <= 0) return '–';
  const delta = unixSeconds - nowMs / 1000;
  return delta >= 0 ? `in ${eta(delta)}` : `${eta(-delta)} ago`;
}

/** A unix time (seconds) as local time, or a dash for 0/unknown. */
export function time(unixSeconds) {
  if (!unixSeconds || unixSeconds <= 0) return '–';
  return new Date(unixSeconds * 1000).toLocaleString();
}
