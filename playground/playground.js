'use strict';

import { Api, ApiError } from './api.js';
import { $, h } from './dom.js';
import { price, total } from './money.js';
import { Panel } from './panel.js';

/**
 * The mini-program playground: plays a WeChat mini-program against this
 * server (wx.login → POST /api/login, the catalogue, orders, wx.requestPayment)
 * with the sandbox as WeChat's side. Local development and tests only.
 */

const PAID_POLL_MS = 400;
const PAID_POLL_LIMIT_MS = 15000;

const panel = new Panel();
const api = new Api(exchange => panel.exchange(exchange));

const state = {
  userId: null,
  products: [],
  /** the order on the order screen */
  order: null,
  /** wx.requestPayment's parameters for that order */
  payParams: null,
  pollTimer: null,
};

// ---- messages and screens ----------------------------------------------------

function say(text, kind = 'info') {
  const message = $('message');
  message.textContent = text;
  message.dataset.kind = kind;
  message.hidden = !text;
}

function failed(error) {
  say(error instanceof ApiError ? error.message : String(error), 'error');
}

function show(screen) {
  for (const section of document.querySelectorAll('.screen')) section.hidden = section.id !== `screen-${screen}`;
  for (const tab of document.querySelectorAll('[data-tab]')) {
    if (tab.dataset.tab === screen) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  $('tabs').hidden = screen === 'login';
  $(`screen-${screen}`).querySelector('h2')?.focus({ preventScroll: true });
}

/** Runs a button's action with the button disabled meanwhile; errors go to the message line. */
function action(button, work) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await work();
    } catch (error) {
      failed(error);
    } finally {
      button.disabled = false;
    }
  });
}

// ---- wx.login ----------------------------------------------------------------

/** A fresh wx.login code: `<user>.<unique>`; the sandbox gives every code of one user the same openid. */
function loginCode(user) {
  const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return `${user}.${unique}`;
}

async function login() {
  const user = $('login-user').value.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(user)) {
    say('A sandbox user name is 1 to 64 letters, digits, _ or -.', 'error');
    return;
  }
  const code = loginCode(user);
  $('login-code').textContent = code;
  const reply = await api.call('POST', '/api/login', { code });
  api.token = reply.token;
  state.userId = reply.user.id;
  $('who').textContent = `${user} · user #${reply.user.id}`;
  say(`Logged in: token valid ${Math.round(reply.expiresIn / 60)} min.`, 'ok');
  await loadCatalogue();
  show('shop');
}

function logout() {
  stopPolling();
  api.token = null;
  state.userId = null;
  state.order = null;
  $('who').textContent = 'not logged in';
  say('');
  show('login');
}

// ---- catalogue and order creation -----------------------------------------------

async function loadCatalogue() {
  state.products = await api.call('GET', '/api/products');
  renderCatalogue();
}

function quantities() {
  return state.products.map(product => {
    const input = document.getElementById(`qty-${product.id}`);
    const quantity = Number.parseInt(input?.value ?? '0', 10);
    return { productId: product.id, price: product.price, quantity: Number.isSafeInteger(quantity) && quantity > 0 ? quantity : 0 };
  });
}

function renderTotal() {
  const lines = quantities();
  $('cart-total').textContent = price(total(lines));
  $('place-order').disabled = !lines.some(line => line.quantity > 0);
}

function renderCatalogue() {
  const list = $('catalogue');
  if (state.products.length === 0) {
    list.replaceChildren(h('li', { class: 'muted' }, 'The catalogue is empty (npm run db:seed adds the sample one).'));
    renderTotal();
    return;
  }
  list.replaceChildren(...state.products.map(product => {
    const id = `qty-${product.id}`;
    return h('li', { class: 'product' },
      h('div', { class: 'product-info' },
        h('span', { class: 'product-name' }, product.name),
        h('span', { class: 'product-price' }, price(product.price)),
        h('span', { class: 'muted' }, `${product.stock} in stock`)),
      h('div', { class: 'quantity' },
        h('label', { for: id }, `Quantity of ${product.name}`),
        h('input', {
          id, type: 'number', inputmode: 'numeric', min: 0, max: Math.max(0, Math.min(product.stock, 999)), step: 1, value: 0,
          oninput: renderTotal,
        })));
  }));
  renderTotal();
}

async function placeOrder() {
  const items = quantities().filter(line => line.quantity > 0).map(({ productId, quantity }) => ({ productId, quantity }));
  const order = await api.call('POST', '/api/orders', { items });
  say(`Order ${order.orderNo} created.`, 'ok');
  openOrder(order);
}

// ---- an order: pay, watch, refresh, close ----------------------------------------

function openOrder(order) {
  stopPolling();
  state.order = order;
  state.payParams = null;
  panel.payParams(null);
  panel.notifies(null, 'No payment for this order yet.');
  renderOrder();
  show('order');
}

function renderOrder() {
  const { order } = state;
  if (!order) return;
  $('order-no').textContent = order.orderNo;
  const status = $('order-status');
  status.textContent = order.status;
  status.dataset.status = order.status;
  $('order-amount').textContent = price(order.amount);
  $('order-paid').textContent = order.paidAt ? `${new Date(order.paidAt).toLocaleString('en-GB')} · ${order.transactionId}` : '—';
  $('order-items').replaceChildren(...(order.items ?? []).map(item => h('li', {},
    h('span', {}, `${item.name} × ${item.quantity}`), h('span', {}, price(item.amount)))));
  const pending = order.status === 'PENDING';
  // Paying, asking WeChat and closing are for PENDING orders only.
  for (const id of [ 'get-pay-params', 'refresh-order', 'close-order' ]) $(id).hidden = !pending;
  const canAct = pending && state.payParams !== null;
  for (const id of [ 'pay-success', 'pay-fail', 'pay-cancel' ]) $(id).disabled = !canAct;
  $('pay-sheet').hidden = state.payParams === null;
  if (state.payParams) {
    $('sheet-amount').textContent = price(order.amount);
    $('sheet-params').replaceChildren(...Object.entries(state.payParams).map(([ name, value ]) => h('div', { class: 'param' },
      h('dt', {}, name), h('dd', {}, value))));
  }
}

async function getPayParams() {
  const params = await api.call('POST', `/api/orders/${encodeURIComponent(state.order.orderNo)}/pay`);
  state.payParams = params;
  panel.payParams(params);
  panel.mode(params.signType);
  say('wx.requestPayment is ready: choose what the payer does.', 'info');
  renderOrder();
}

/** wx.requestPayment, played by the sandbox's WeChat client: SUCCESS, FAIL or CANCEL. */
async function requestPayment(result) {
  const orderNo = state.order.orderNo;
  const outcome = await api.call('POST', '/sandbox/control/request-payment', { ...state.payParams, result });
  panel.payCheck(outcome);
  $('pay-result').textContent = outcome.errMsg;
  if (!outcome.paySignValid) {
    say(`WeChat refused the payment parameters: ${outcome.reason}`, 'error');
    return;
  }
  if (result === 'CANCEL') say('Payment cancelled: the order stays PENDING.', 'info');
  else if (result === 'FAIL') say('The payment failed: the order stays PENDING and can be paid again.', 'error');
  else say('Paid at WeChat: waiting for the notify to reach the merchant…', 'info');
  await loadNotifies(orderNo);
  if (result === 'SUCCESS') pollUntilSettled(orderNo);
  else await reloadOrder();
}

async function reloadOrder(refresh = false) {
  const orderNo = state.order.orderNo;
  const order = await api.call('GET', `/api/orders/${encodeURIComponent(orderNo)}${refresh ? '?refresh=1' : ''}`);
  if (state.order?.orderNo !== orderNo) return order;
  state.order = order;
  if (order.status !== 'PENDING') state.payParams = null;
  renderOrder();
  return order;
}

function stopPolling() {
  if (state.pollTimer !== null) clearTimeout(state.pollTimer);
  state.pollTimer = null;
}

/** Polls GET /api/orders/:orderNo until the notify has turned the order PAID (or the time is up). */
function pollUntilSettled(orderNo) {
  stopPolling();
  const deadline = Date.now() + PAID_POLL_LIMIT_MS;
  const tick = async () => {
    state.pollTimer = null;
    if (state.order?.orderNo !== orderNo) return;
    try {
      const order = await reloadOrder();
      if (order.status === 'PAID') {
        say(`Paid: the notify landed, order ${orderNo} is PAID.`, 'ok');
        await loadNotifies(orderNo);
        return;
      }
      if (order.status !== 'PENDING') return;
    } catch (error) {
      failed(error);
      return;
    }
    if (Date.now() < deadline) state.pollTimer = setTimeout(tick, PAID_POLL_MS);
    else say('Still PENDING: no notify was acknowledged yet. Try "Refresh at WeChat".', 'error');
  };
  void tick();
}

async function loadNotifies(orderNo = state.order?.orderNo) {
  if (!orderNo) return;
  try {
    panel.notifies(await api.call('GET', `/sandbox/control/notifies?outTradeNo=${encodeURIComponent(orderNo)}`));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) panel.notifies(null, 'WeChat has no trade for this order yet: pay it first.');
    else throw error;
  }
}

async function refreshAtWechat() {
  const order = await reloadOrder(true);
  say(`WeChat was asked: the order is ${order.status}.`, order.status === 'PAID' ? 'ok' : 'info');
}

async function closeOrder() {
  stopPolling();
  const order = await api.call('POST', `/api/orders/${encodeURIComponent(state.order.orderNo)}/close`);
  state.order = order;
  state.payParams = null;
  renderOrder();
  say(`Order ${order.orderNo} is ${order.status}.`, 'info');
}

// ---- my orders ------------------------------------------------------------------

async function loadOrders() {
  const page = await api.call('GET', '/api/orders?page=1&pageSize=20');
  const list = $('orders');
  $('orders-total').textContent = `${page.total} order${page.total === 1 ? '' : 's'}`;
  if (page.items.length === 0) {
    list.replaceChildren(h('li', { class: 'muted' }, 'No orders yet.'));
    return;
  }
  list.replaceChildren(...page.items.map(order => h('li', {},
    h('button', {
      type: 'button', class: 'order-row', 'aria-label': `Open order ${order.orderNo}, ${order.status}, ${price(order.amount)}`,
      onclick: () => openOrder(order),
    },
    h('span', { class: 'order-row-main' }, h('span', {}, order.description || order.orderNo), h('code', {}, order.orderNo)),
    h('span', { class: 'order-row-side' }, h('span', {}, price(order.amount)),
      h('span', { class: 'status-badge', 'data-status': order.status }, order.status))))));
}

// ---- wiring ---------------------------------------------------------------------

action($('login-button'), login);
$('login-form').addEventListener('submit', event => {
  event.preventDefault();
  $('login-button').click();
});
action($('logout'), async () => logout());
action($('reload-catalogue'), loadCatalogue);
action($('place-order'), placeOrder);
action($('get-pay-params'), getPayParams);
action($('pay-success'), () => requestPayment('SUCCESS'));
action($('pay-fail'), () => requestPayment('FAIL'));
action($('pay-cancel'), () => requestPayment('CANCEL'));
action($('refresh-order'), refreshAtWechat);
action($('reload-order'), () => reloadOrder());
action($('close-order'), closeOrder);
action($('reload-notifies'), () => loadNotifies());
action($('tab-shop'), async () => {
  stopPolling();
  say('');
  // Shown once the catalogue is there: a list rendered again under the user's fingers would drop the quantities typed.
  await loadCatalogue();
  show('shop');
});
action($('tab-orders'), async () => {
  stopPolling();
  say('');
  show('orders');
  await loadOrders();
});

panel.payParams(null);
panel.notifies(null);
show('login');
document.body.dataset.ready = 'true';
