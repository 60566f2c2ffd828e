// Building DOM without innerHTML: torrent names, file names, peer clients and tracker messages are untrusted,
// so every piece of text goes in through textContent or an attribute set by the DOM API.

/**
 * Creates an element. `props`: attributes (strings), `class`, `text` (textContent), `on<event>` handlers,
 * and `dataset`/`aria` objects.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

/** Sets textContent only when it changed, so live updates do not disturb selection or screen readers. */
export function setText(node, text) {
  const value = String(text);
  if (node.textContent !== value) node.textContent = value;
}

export function setAttr(node, name, value) {
  const v = String(value);
  if (node.getAttribute(name) !== v) node.setAttribute(name, v);
}

/** A progress bar: a div with role=progressbar whose fill width follows the value. */
export function progressBar(label) {
  const fill = el('div', { class: 'bar-fill' });
  const bar = el('div', {
    class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0',
    'aria-label': label,
  }, fill);
  return bar;
}

export function setProgress(bar, fraction) {
  const pct = Math.max(0, Math.min(1, fraction || 0)) * 100;
  setAttr(bar, 'aria-valuenow', pct >= 100 ? '100' : pct.toFixed(1));
  bar.firstChild.style.width = `${pct}%`;
}

/** Removes every child. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}
