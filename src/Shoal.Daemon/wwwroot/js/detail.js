// The detail view of one torrent: summary, files (wanted + priority, sent with torrent-set), peers and trackers.
// Rows are keyed and updated in place; a file whose setting was just changed keeps the user's value until the
// daemon has confirmed it, so a poll in flight cannot flip the checkbox back.

import { el, setText, setAttr, clear, progressBar, setProgress } from './dom.js';
import * as fmt from './format.js';

export const DETAIL_FIELDS = [
  'id', 'hashString', 'name', 'status', 'error', 'errorString', 'percentDone', 'totalSize', 'sizeWhenDone',
  'leftUntilDone', 'downloadedEver', 'uploadedEver', 'uploadRatio', 'downloadDir', 'addedDate', 'pieceCount',
  'pieceSize', 'files', 'fileStats', 'peers', 'trackerStats', 'rateDownload', 'rateUpload', 'peersConnected',
  'metadataPercentComplete', 'isFinished',
];

const ANNOUNCE_STATES = ['Inactive', 'Waiting', 'Queued', 'Announcing'];

/** Keeps a tbody's rows in step with `items` (keyed), calling create once per key and fill every time. */
function syncRows(tbody, items, key, create, fill) {
  const rows = tbody._rows || (tbody._rows = new Map());
  const seen = new Set();
  let previous = null;
  items.forEach((item, index) => {
    const k = key(item, index);
    seen.add(k);
    let row = rows.get(k);
    if (!row) {
      row = create(item, index);
      rows.set(k, row);
    }
    fill(row, item, index);
    const wanted = previous ? previous.nextSibling : tbody.firstChild;
    if (wanted !== row.tr) tbody.insertBefore(row.tr, wanted);
    previous = row.tr;
  });
  for (const [k, row] of rows) {
    if (!seen.has(k)) {
      row.tr.remove();
      rows.delete(k);
    }
  }
}

function resetRows(tbody) {
  clear(tbody);
  tbody._rows = new Map();
}

export class DetailView {
  /**
   * @param {HTMLElement} root the #detail section
   * @param {{ setFiles(id, args): Promise<void>, onClose(): void }} actions
   */
  constructor(root, actions) {
    this.root = root;
    this.actions = actions;
    this.id = null;
    /** file index -> {wanted?, priority?} the user chose and the daemon has not yet confirmed */
    this.pending = new Map();
    this.files = root.querySelector('#files-table tbody');
    this.peers = root.querySelector('#peers-table tbody');
    this.trackers = root.querySelector('#trackers-table tbody');
    root.querySelector('#detail-close').addEventListener('click', () => this.actions.onClose());
    for (const tab of root.querySelectorAll('[role=tab]')) {
      tab.addEventListener('click', () => this.selectTab(tab.id));
    }
  }

  get open() {
    return this.id !== null;
  }

  show(torrent) {
    if (this.id !== torrent.id) {
      this.id = torrent.id;
      this.pending.clear();
      resetRows(this.files);
      resetRows(this.peers);
      resetRows(this.trackers);
    }
    setText(this.root.querySelector('#detail-name'), torrent.name || torrent.hashString || '');
    this.root.hidden = false;
    document.body.classList.add('detail-open');
  }

  hide() {
    this.id = null;
    this.root.hidden = true;
    document.body.classList.remove('detail-open');
  }

  selectTab(id) {
    for (const tab of this.root.querySelectorAll('[role=tab]')) {
      const selected = tab.id === id;
      tab.setAttribute('aria-selected', String(selected));
      this.root.querySelector(`#${tab.getAttribute('aria-controls')}`).hidden = !selected;
    }
  }

  update(t) {
    if (t.id !== this.id) return;
    setText(this.root.querySelector('#detail-name'), t.name || t.hashString || '');
    this.updateSummary(t);
    this.updateFiles(t);
    this.updatePeers(t.peers || []);
    this.updateTrackers(t.trackerStats || []);
  }

  updateSummary(t) {
    const dl = this.root.querySelector('#detail-summary');
    const items = [
      ['State', t.error ? `Error: ${t.errorString || ''}` : fmt.stateText(t)],
      ['Progress', `${fmt.percent(t.percentDone)} of ${fmt.size(t.sizeWhenDone ?? t.totalSize)}`],
      ['Downloaded', fmt.size(t.downloadedEver ?? 0)],
      ['Uploaded', `${fmt.size(t.uploadedEver ?? 0)} (ratio ${t.uploadRatio >= 0 ? t.uploadRatio.toFixed(2) : '–'})`],
      ['Speed', `↓ ${fmt.rate(t.rateDownload)} ↑ ${fmt.rate(t.rateUpload)}`],
      ['Pieces', t.pieceCount ? `${t.pieceCount} × ${fmt.size(t.pieceSize)}` : '–'],
      ['Info hash', t.hashString || ''],
      ['Saved in', t.downloadDir || ''],
    ];
    if (!dl._cells) {
      dl._cells = items.map(([term]) => {
        const dd = el('dd');
        dl.append(el('div', {}, el('dt', { text: term }), dd));
        return dd;
      });
    }
    items.forEach(([, value], i) => setText(dl._cells[i], value));
  }

  updateFiles(t) {
    const files = t.files || [];
    const stats = t.fileStats || [];
    syncRows(this.files, files, (f, i) => `${i}`, (f, i) => this.createFileRow(i), (row, f, i) => {
      const s = stats[i] || {};
      // Transmission's file names start with the torrent's folder; the rest is what tells files apart.
      const prefix = `${t.name}/`;
      const name = (f.name || '').startsWith(prefix) ? f.name.slice(prefix.length) : f.name || '';
      setText(row.name, name);
      setText(row.size, fmt.size(f.length));
      const fraction = f.length > 0 ? (s.bytesCompleted ?? f.bytesCompleted ?? 0) / f.length : 1;
      setProgress(row.bar, fraction);
      setAttr(row.bar, 'aria-label', `Downloaded: ${name}`);
      setText(row.pct, fmt.percent(fraction));
      setAttr(row.wanted, 'aria-label', `Download ${name}`);
      setAttr(row.priority, 'aria-label', `Priority of ${name}`);
      const pending = this.pending.get(i);
      if (!pending || pending.wanted === undefined) row.wanted.checked = s.wanted !== false && s.wanted !== 0;
      if (!pending || pending.priority === undefined) row.priority.value = String(s.priority ?? 0);
      row.tr.classList.toggle('skipped', !row.wanted.checked);
    });
  }

  createFileRow(index) {
    const wanted = el('input', { type: 'checkbox', class: 'file-wanted', id: `file-wanted-${index}` });
    const priority = el('select', { class: 'file-priority', id: `file-priority-${index}` },
      ...fmt.PRIORITIES.map(p => el('option', { value: String(p.value), text: p.label })));
    wanted.addEventListener('change', () => {
      tr.classList.toggle('skipped', !wanted.checked);
      this.changeFile(index, { wanted: wanted.checked });
    });
    priority.addEventListener('change', () => this.changeFile(index, { priority: Number(priority.value) }));
    const name = el('span', { class: 'file-name' });
    const size = el('td', { class: 'num' });
    const bar = progressBar('Downloaded');
    const pct = el('span', { class: 'pct' });
    const tr = el('tr', { dataset: { index: String(index) } },
      el('td', {}, wanted), el('td', { class: 'name' }, name), size,
      el('td', { class: 'done' }, bar, pct), el('td', {}, priority));
    return { tr, wanted, priority, name, size, bar, pct };
  }

  async changeFile(index, change) {
    const id = this.id;
    const entry = { ...(this.pending.get(index) || {}), ...change };
    this.pending.set(index, entry);
    const args = {};
    if (change.wanted !== undefined) args[change.wanted ? 'files-wanted' : 'files-unwanted'] = [index];
    if (change.priority !== undefined) {
      args[change.priority > 0 ? 'priority-high' : change.priority < 0 ? 'priority-low' : 'priority-normal'] = [index];
    }
    try {
      await this.actions.setFiles(id, args);
    } finally {
      // The next poll shows what the daemon now holds, whether the change took or not.
      if (this.pending.get(index) === entry) this.pending.delete(index);
    }
  }

  updatePeers(peers) {
    this.root.querySelector('#peers-empty').hidden = peers.length > 0;
    this.root.querySelector('#peers-table').hidden = peers.length === 0;
    syncRows(this.peers, peers, p => `${p.address}|${p.port}`, () => {
      const cells = Array.from({ length: 6 }, (_, i) => el('td', { class: i >= 2 && i <= 4 ? 'num' : '' }));
      return { tr: el('tr', {}, ...cells), cells };
    }, (row, p) => {
      const address = String(p.address || '').includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;
      const values = [address, p.clientName || '', fmt.rate(p.rateToClient), fmt.rate(p.rateToPeer),
        fmt.percent(p.progress), p.flagStr || ''];
      values.forEach((v, i) => setText(row.cells[i], v));
      setAttr(row.cells[5], 'title', p.flagStr || '');
    });
  }

  updateTrackers(trackers) {
    this.root.querySelector('#trackers-empty').hidden = trackers.length > 0;
    this.root.querySelector('#trackers-table').hidden = trackers.length === 0;
    syncRows(this.trackers, trackers, (tr, i) => `${tr.id ?? i}|${tr.announce}`, () => {
      const cells = Array.from({ length: 6 }, (_, i) => el('td', { class: i === 0 || i === 4 ? 'num' : '' }));
      return { tr: el('tr', {}, ...cells), cells };
    }, (row, tr) => {
      let status;
      if (tr.hasAnnounced && tr.lastAnnounceSucceeded) status = 'Working';
      else if (tr.hasAnnounced) status = 'Error';
      else status = ANNOUNCE_STATES[tr.announceState] ?? 'Not contacted';
      const result = tr.lastAnnounceResult || (tr.hasAnnounced ? '' : '–');
      const peers = tr.lastAnnouncePeerCount >= 0 ? String(tr.lastAnnouncePeerCount) : '–';
      const values = [String((tr.tier ?? 0) + 1), tr.announce || tr.host || '', status, result, peers,
        fmt.relative(tr.nextAnnounceTime)];
      setAttr(row.cells[5], 'title', fmt.time(tr.nextAnnounceTime));
      values.forEach((v, i) => setText(row.cells[i], v));
      setAttr(row.tr, 'data-status', status.toLowerCase());
    });
  }
}
