'use strict';

/** h('p', { class: 'x' }, 'text', child): elements built from text, never from HTML strings. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [ name, value ] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function $(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`no #${id} in the page`);
  return element;
}

export function json(value) {
  return JSON.stringify(value, null, 2);
}
