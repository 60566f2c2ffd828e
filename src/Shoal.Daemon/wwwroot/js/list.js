// The torrent list: one <li> per torrent, keyed by info hash and updated in place every poll, so buttons stay
// the same elements (a click never lands on a node that was just replaced) and focus is kept.

import { el, setText, setAttr, progressBar, setProgress } from './dom.js';
import * as fmt from './format.js';

/** Fields the list needs from torrent-get. */
export const LIST_FIELDS = [
  'id', 'hashString', 'name', 'status', 'error', 'errorString', 'percentDone', 'metadataPercentComplete',
  'rateDownload', 'rateUpload', 'peersConnected', 'peersSendingToUs', 'eta', 'totalSize', 'sizeWhenDone',
  'leftUntilDone', 'uploadRatio', 'recheckProgress', 'isFinished',
];

export class TorrentList {
  /**
   * @param {HTMLUListElement} root
   * @param {{ onPause(t), onResume(t), onRemove(t), onDetails(t) }} actions
   */
  constructor(root, actions) {
    this.root = root;
    this.actions = actions;
    /** @type {Map<string, {li: HTMLLIElement, parts: object, torrent: object}>} */
    this.rows = new Map();
    /** id of the torrent shown in the detail view, marked in the list */
    this.selectedId = null;
  }

  select(id) {
    this.selectedId = id;
    for (const row of this.rows.values()) this.markSelected(row);
  }

  markSelected(row) {
    const selected = row.torrent && row.torrent.id === this.selectedId;
    row.li.classList.toggle('selected', selected);
    if (selected) row.li.setAttribute('aria-current', 'true');
    else row.li.removeAttribute('aria-current');
  }

  /** Shows exactly these torrents, in this order. */
  update(torrents) {
    const seen = new Set();
    let previous = null;
    for (const t of torrents) {
      const key = t.hashString || String(t.id);
      seen.add(key);
      let row = this.rows.get(key);
      if (!row) {
        row = this.create(key);
        this.rows.set(key, row);
      }
      row.torrent = t;
      this.fill(row, t);
      this.markSelected(row);
      const wanted = previous ? previous.nextSibling : this.root.firstChild;
      if (wanted !== row.li) this.root.insertBefore(row.li, wanted);
      previous = row.li;
    }
    for (const [key, row] of this.rows) {
      if (!seen.has(key)) {
        row.li.remove();
        this.rows.delete(key);
      }
    }
  }

  create(key) {
    const name = el('h3', { class: 'torrent-name' });
    const state = el('span', { class: 'torrent-state' });
    const bar = progressBar('Progress');
    const pct = el('span', { class: 'torrent-percent' });
    const sizes = el('span', { class: 'torrent-size' });
    const down = el('span', { class: 'torrent-down' });
    const up = el('span', { class: 'torrent-up' });
    const peers = el('span', { class: 'torrent-peers' });
    const eta = el('span', { class: 'torrent-eta' });
    const error = el('p', { class: 'torrent-error', role: 'status', hidden: true });
    const row = { li: null, parts: {}, torrent: null };
    const toggle = el('button', { type: 'button', class: 'toggle', onclick: () => this.toggle(row) });
    const remove = el('button', {
      type: 'button', class: 'ghost', dataset: { action: 'remove' }, text: 'Remove',
      onclick: () => this.actions.onRemove(row.torrent),
    });
    const details = el('button', {
      type: 'button', class: 'ghost', dataset: { action: 'details' }, text: 'Details',
      onclick: () => this.actions.onDetails(row.torrent),
    });
    const li = el('li', { class: 'torrent', dataset: { hash: key } },
      el('div', { class: 'torrent-head' }, name, state),
      el('div', { class: 'torrent-progress' }, bar, pct),
      el('p', { class: 'torrent-stats' },
        sizes, el('span', { class: 'stat' }, '↓ ', down), el('span', { class: 'stat' }, '↑ ', up),
        el('span', { class: 'stat' }, peers), el('span', { class: 'stat' }, 'ETA ', eta)),
      error,
      el('div', { class: 'torrent-actions' }, toggle, details, remove));
    row.li = li;
    row.parts = { name, state, bar, pct, sizes, down, up, peers, eta, error, toggle, remove, details };
    return row;
  }

  toggle(row) {
    const t = row.torrent;
    if (t.status === fmt.Status.Stopped) this.actions.onResume(t);
    else this.actions.onPause(t);
  }

  fill(row, t) {
    const p = row.parts;
    const name = t.name || t.hashString || `torrent ${t.id}`;
    setText(p.name, name);
    setAttr(row.li, 'data-id', t.id);
    setAttr(row.li, 'data-state', fmt.stateKey(t));
    setAttr(row.li, 'aria-label', name);
    setText(p.state, fmt.stateText(t));
    const checking = t.status === fmt.Status.Check;
    const fraction = checking ? t.recheckProgress : t.percentDone;
    setProgress(p.bar, fraction);
    setAttr(p.bar, 'aria-label', `${checking ? 'Verified' : 'Downloaded'}: ${name}`);
    setText(p.pct, fmt.percent(fraction));
    const wanted = t.sizeWhenDone ?? t.totalSize ?? 0;
    const have = Math.max(0, wanted - (t.leftUntilDone ?? 0));
    const noMetadata = t.metadataPercentComplete !== undefined && t.metadataPercentComplete < 1;
    setText(p.sizes, noMetadata ? `metadata ${fmt.percent(t.metadataPercentComplete)}` : `${fmt.size(have)} of ${fmt.size(wanted)}`);
    setText(p.down, fmt.rate(t.rateDownload));
    setText(p.up, fmt.rate(t.rateUpload));
    const peers = t.peersConnected ?? 0;
    setText(p.peers, `${peers} ${peers === 1 ? 'peer' : 'peers'}`);
    setText(p.eta, t.status === fmt.Status.Download ? fmt.eta(t.eta) : '–');
    p.error.hidden = !t.error;
    setText(p.error, t.error ? t.errorString || 'error' : '');
    const paused = t.status === fmt.Status.Stopped;
    setText(p.toggle, paused ? 'Resume' : 'Pause');
    setAttr(p.toggle, 'data-action', paused ? 'resume' : 'pause');
    setAttr(p.toggle, 'aria-label', `${paused ? 'Resume' : 'Pause'} ${name}`);
    setAttr(p.remove, 'aria-label', `Remove ${name}`);
    setAttr(p.details, 'aria-label', `Details of ${name}`);
  }

  /** Marks a torrent's buttons busy while a command is in flight. */
  setBusy(torrent, busy) {
    const row = this.rows.get(torrent.hashString || String(torrent.id));
    if (!row) return;
    for (const b of [row.parts.toggle, row.parts.remove]) b.disabled = busy;
  }
}
