'use strict';

import { $, h, json } from './dom.js';

const LOG_LIMIT = 200;

function time(date) {
  return date.toTimeString().slice(0, 8) + `.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function statusClass(status) {
  if (status >= 200 && status < 300) return 'ok';
  return status === 0 ? 'bad' : 'warn';
}

/** The side panel: the mode, wx.requestPayment's parameters, the notify deliveries and every request. */
export class Panel {
  constructor() {
    this.log = $('log');
    this.count = 0;
    $('clear-log').addEventListener('click', () => {
      this.log.replaceChildren();
      this.count = 0;
      $('log-count').textContent = '0';
    });
  }

  /** One request and its reply, newest first. */
  exchange({ method, path, status, request, reply, ms, at }) {
    this.count += 1;
    $('log-count').textContent = String(this.count);
    const summary = h('summary', {},
      h('span', { class: 'method' }, method), ' ',
      h('span', { class: 'path' }, path), ' ',
      h('span', { class: `status ${statusClass(status)}` }, status === 0 ? 'network error' : status), ' ',
      h('span', { class: 'muted' }, `${ms} ms · ${time(at)}`));
    const entry = h('li', { class: 'exchange', value: this.count }, h('details', {}, summary,
      request === undefined ? null : h('div', {}, h('h4', {}, 'Request'), h('pre', {}, json(request))),
      h('div', {}, h('h4', {}, 'Reply'), h('pre', {}, reply === null ? '(empty)' : json(reply)))));
    this.log.prepend(entry);
    while (this.log.children.length > LOG_LIMIT) this.log.lastElementChild.remove();
  }

  /** The API version in use, told by the paySign's signType (RSA is v3). */
  mode(signType) {
    const text = signType === 'RSA' ? 'v3 (paySign SHA256withRSA)' : `v2 (paySign ${signType})`;
    $('mode').textContent = text;
    const badge = $('mode-badge');
    badge.textContent = signType === 'RSA' ? 'Pay API v3' : 'Pay API v2';
    badge.dataset.mode = signType === 'RSA' ? 'v3' : 'v2';
  }

  payParams(params) {
    $('pay-params').textContent = params ? json(params) : 'None yet: pay an order.';
    $('pay-check').replaceChildren();
  }

  /** What the simulated WeChat client said of the paySign. */
  payCheck(outcome) {
    const valid = outcome.paySignValid;
    $('pay-check').replaceChildren(
      h('p', { class: `verdict ${valid ? 'ok' : 'bad'}` },
        valid ? `✓ paySign verified (${outcome.signType})` : `✗ paySign refused: ${outcome.reason}`),
      h('p', {}, 'errMsg: ', h('code', {}, outcome.errMsg)));
  }

  /** GET /sandbox/control/notifies's report, or a note when there is none. */
  notifies(report, note) {
    const target = $('notifies');
    if (!report) {
      target.replaceChildren(h('p', { class: 'muted' }, note ?? 'No order paid yet.'));
      return;
    }
    const rows = report.attempts.map(attempt => h('tr', {},
      h('td', {}, attempt.attempt, attempt.resend ? ' (resend)' : ''),
      h('td', {}, time(new Date(attempt.at))),
      h('td', {}, attempt.status === null ? '—' : attempt.status),
      h('td', { class: attempt.acknowledged ? 'ok' : 'bad' }, attempt.acknowledged ? 'acknowledged' : 'not acknowledged'),
      h('td', {}, attempt.error ?? '')));
    target.replaceChildren(
      h('p', {}, 'Order ', h('code', {}, report.outTradeNo), ': delivery ', h('strong', { class: 'notify-state' }, report.state)),
      rows.length === 0
        ? h('p', { class: 'muted' }, 'No attempt: WeChat has nothing to notify yet (v3 notifies successful payments only).')
        : h('table', {},
          h('caption', {}, 'Attempts and the merchant\'s answers'),
          h('thead', {}, h('tr', {}, [ '#', 'At', 'HTTP', 'Merchant\'s answer', 'Error' ].map(name => h('th', { scope: 'col' }, name)))),
          h('tbody', {}, rows)));
  }
}
