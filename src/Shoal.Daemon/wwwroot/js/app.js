// Wires the page: polls torrent-get once a second (one request in flight at a time), fills the list and the
// open detail view, and sends the commands (add, start, stop, remove, set) as Transmission RPC calls.

import { rpc } from './rpc.js';
import { TorrentList, LIST_FIELDS } from './list.js';
import { DetailView, DETAIL_FIELDS } from './detail.js';
import * as fmt from './format.js';

const POLL_MS = 1000;
const $ = id => document.getElementById(id);

let pollTimer = 0;
let noticeTimer = 0;

function notice(text) {
  const box = $('notice');
  box.textContent = text;
  box.classList.add('shown');
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => box.classList.remove('shown'), 4000);
}

function connectionError(error) {
  const banner = $('conn-error');
  if (error) {
    banner.textContent = `Cannot reach the daemon: ${error.message || error}`;
    banner.hidden = false;
  } else {
    banner.hidden = true;
  }
}

async function command(label, method, args) {
  try {
    const result = await rpc(method, args);
    schedulePoll(0);
    return result;
  } catch (e) {
    notice(`${label} failed: ${e.message}`);
    throw e;
  }
}

const list = new TorrentList($('torrents'), {
  onPause: t => busy(t, command(`Pausing ${t.name}`, 'torrent-stop', { ids: [t.id] })),
  onResume: t => busy(t, command(`Resuming ${t.name}`, 'torrent-start', { ids: [t.id] })),
  onRemove: t => askRemove(t),
  onDetails: t => openDetail(t),
});

const detail = new DetailView($('detail'), {
  setFiles: (id, args) => command('Changing files', 'torrent-set', { ids: [id], ...args }),
  onClose: () => closeDetail(),
});

/** Closes the detail view and gives focus back to the Details button it was opened from. */
function closeDetail() {
  const id = detail.id;
  detail.hide();
  list.select(null);
  history.replaceState(null, '', location.pathname);
  const row = [...list.rows.values()].find(r => r.torrent && r.torrent.id === id);
  if (row) row.parts.details.focus();
}

document.addEventListener('keydown', event => {
  if (event.key === 'Escape' && detail.open && !document.querySelector('dialog[open]')) closeDetail();
});

function busy(t, promise) {
  list.setBusy(t, true);
  promise.catch(() => {}).finally(() => list.setBusy(t, false));
}

function openDetail(t) {
  detail.show(t);
  list.select(t.id);
  $('detail-name').focus();
  history.replaceState(null, '', `#${t.hashString || t.id}`);
  schedulePoll(0);
}

// ---- polling ----

function schedulePoll(delay) {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(poll, delay);
}

let polling = false;
async function poll() {
  if (polling) {
    schedulePoll(POLL_MS);
    return;
  }
  polling = true;
  try {
    const { torrents = [] } = await rpc('torrent-get', { fields: LIST_FIELDS });
    torrents.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    list.update(torrents);
    $('empty').hidden = torrents.length > 0;
    $('total-count').textContent = `${torrents.length} ${torrents.length === 1 ? 'torrent' : 'torrents'}`;
    $('total-down').textContent = fmt.rate(torrents.reduce((s, t) => s + (t.rateDownload || 0), 0));
    $('total-up').textContent = fmt.rate(torrents.reduce((s, t) => s + (t.rateUpload || 0), 0));
    restoreDetailFromHash(torrents);
    if (detail.open) {
      if (!torrents.some(t => t.id === detail.id)) {
        detail.hide();
        list.select(null);
      } else {
        const { torrents: [one] = [] } = await rpc('torrent-get', { ids: [detail.id], fields: DETAIL_FIELDS });
        if (one) detail.update(one);
      }
    }
    connectionError(null);
  } catch (e) {
    connectionError(e);
  } finally {
    polling = false;
    schedulePoll(POLL_MS);
  }
}

let hashRestored = false;
function restoreDetailFromHash(torrents) {
  if (hashRestored) return;
  hashRestored = true;
  const key = decodeURIComponent(location.hash.slice(1));
  const t = key && torrents.find(x => x.hashString === key || String(x.id) === key);
  if (t) {
    detail.show(t);
    list.select(t.id);
  }
}

// ---- add ----

function toBase64(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

function setupAdd() {
  const dialog = $('add-dialog');
  const form = $('add-form');
  const error = $('add-error');
  $('add-open').addEventListener('click', () => {
    form.reset();
    error.textContent = '';
    dialog.showModal();
  });
  $('add-cancel').addEventListener('click', () => dialog.close());
  form.addEventListener('submit', async event => {
    event.preventDefault();
    error.textContent = '';
    const file = $('add-file').files[0];
    const magnet = $('add-magnet').value.trim();
    const args = { paused: $('add-paused').checked };
    if (file) {
      args.metainfo = toBase64(await file.arrayBuffer());
    } else if (magnet) {
      if (!/^magnet:\?/i.test(magnet)) {
        error.textContent = 'A magnet link starts with "magnet:?".';
        return;
      }
      args.filename = magnet;
    } else {
      error.textContent = 'Choose a .torrent file or paste a magnet link.';
      return;
    }
    const submit = $('add-submit');
    submit.disabled = true;
    try {
      const result = await rpc('torrent-add', args);
      const added = result['torrent-added'] || result['torrent-duplicate'];
      dialog.close();
      notice(result['torrent-duplicate'] ? `Already added: ${added.name}` : `Added ${added ? added.name : 'torrent'}`);
      schedulePoll(0);
    } catch (e) {
      error.textContent = `Could not add: ${e.message}`;
    } finally {
      submit.disabled = false;
    }
  });
}

// ---- remove ----

let removing = null;
function askRemove(t) {
  removing = t;
  $('remove-name').textContent = t.name || t.hashString || '';
  $('remove-dialog').returnValue = '';
  $('remove-dialog').showModal();
}

function setupRemove() {
  const dialog = $('remove-dialog');
  dialog.addEventListener('close', () => {
    const t = removing;
    removing = null;
    if (!t || (dialog.returnValue !== 'keep' && dialog.returnValue !== 'delete')) return;
    const deleteData = dialog.returnValue === 'delete';
    busy(t, command(`Removing ${t.name}`, 'torrent-remove', { ids: [t.id], 'delete-local-data': deleteData })
      .then(() => notice(`Removed ${t.name}${deleteData ? ' and its data' : ''}`)));
  });
}

setupAdd();
setupRemove();
schedulePoll(0);
