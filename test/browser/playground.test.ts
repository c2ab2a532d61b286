import assert from 'node:assert/strict';
import { app, mock } from 'egg-mock/bootstrap';
import type { Page } from 'playwright-core';
import { seedProducts } from '../support/client';
import { mockWechatPayConfig } from '../app/wechatpay-config';
import { appOrigin, chromiumPerFile, screenshot, Viewport } from './harness';

/**
 * The mini-program playground (/playground/) in real Chromium against the
 * test app and its sandbox: log in, order, pay through the simulated
 * wx.requestPayment, watch the notify land, close, list; v2 and v3.
 */
describe('test/browser/playground.test.ts', () => {
  const chromium = chromiumPerFile(app);
  let errors: string[];
  beforeEach(async () => {
    await seedProducts(app, [
      { name: 'Latte', price: 2600, stock: 100 },
      { name: 'Croissant', price: 1250, stock: 5 },
      { name: 'Sparkling water', price: 5, stock: 999 },
    ]);
  });
  afterEach(() => mock.restore());

  async function open(viewport: Viewport): Promise<Page> {
    const page = await chromium.open('/playground/', viewport);
    errors = chromium.errors;
    await page.waitForSelector('body[data-ready="true"]');
    return page;
  }

  const text = (page: Page, selector: string) => page.locator(selector).innerText();

  /** Waits until the element's whole text is `expected` (a string) or matches it. */
  async function waitForText(page: Page, selector: string, expected: string | RegExp): Promise<void> {
    const pattern = typeof expected === 'string' ? new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : expected;
    await page.locator(selector).filter({ hasText: pattern }).waitFor({ timeout: 10000 });
  }

  const waitForStatus = (page: Page, status: string) => waitForText(page, '#order-status', status);

  /** Logs `user` in and orders 2 lattes and 3 sparkling waters (2 × 26.00 + 3 × 0.05 = 52.15 yuan). */
  async function loginAndOrder(page: Page, user: string, shots?: string): Promise<string> {
    await page.getByLabel('Sandbox user').fill(user);
    if (shots) await screenshot(page, `${shots}-1-login`);
    await page.getByRole('button', { name: 'Log in with WeChat' }).click();
    await page.getByRole('heading', { name: 'Catalogue' }).waitFor();
    assert.match(await text(page, '#who'), new RegExp(`^${user} · user #\\d+$`));
    assert.match(await text(page, '#catalogue'), /Latte\n¥26\.00/);
    assert.match(await text(page, '#catalogue'), /Sparkling water\n¥0\.05/);
    await page.getByLabel('Quantity of Latte').fill('2');
    await page.getByLabel('Quantity of Sparkling water').fill('3');
    assert.equal(await text(page, '#cart-total'), '¥52.15');
    if (shots) await screenshot(page, `${shots}-2-catalogue`);
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.getByRole('heading', { name: 'Order', exact: true }).waitFor();
    assert.equal(await text(page, '#order-status'), 'PENDING');
    assert.equal(await text(page, '#order-amount'), '¥52.15');
    return text(page, '#order-no');
  }

  async function openPaySheet(page: Page): Promise<Record<string, string>> {
    await page.getByRole('button', { name: 'Pay with WeChat Pay' }).click();
    await page.locator('#pay-sheet').waitFor();
    return JSON.parse(await text(page, '#pay-params'));
  }

  async function orderInDatabase(orderNo: string) {
    return (await app.model.Order.findOne({ where: { orderNo } }))!;
  }

  async function payToPaid(page: Page, shots: string, signType: string, mode: RegExp) {
    const orderNo = await loginAndOrder(page, `pg${signType.replace(/\W/g, '')}`, shots);
    const params = await openPaySheet(page);
    assert.equal(params.signType, signType);
    assert.equal(params.package.startsWith('prepay_id='), true);
    assert.match(await text(page, '#mode'), mode);
    assert.equal(await text(page, '#sheet-amount'), '¥52.15');
    await screenshot(page, `${shots}-3-pay-sheet`);

    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    await waitForStatus(page, 'PAID');
    assert.equal(await text(page, '#pay-result'), 'requestPayment:ok');
    assert.equal(await text(page, '#pay-check .verdict'), `✓ paySign verified (${signType})`);
    await waitForText(page, '.notify-state', 'acknowledged');
    assert.match(await text(page, '#notifies table'), /1\s+\S+\s+(200|204)\s+acknowledged/);
    assert.notEqual(await text(page, '#order-paid'), '—');
    assert.match(await text(page, '#log'), /POST \/sandbox\/control\/request-payment 200/);
    assert.equal((await orderInDatabase(orderNo)).status, 'PAID');
    await screenshot(page, `${shots}-4-paid`);
    assert.deepEqual(errors, []);
  }

  it('should log in, order and pay in v2 up to PAID, the paySign verified (laptop)', async () => {
    const page = await open('laptop');
    await payToPaid(page, 'playground-v2-laptop', 'MD5', /^v2 \(paySign MD5\)$/);
  });

  it('should do the same in v3, the paySign RSA (phone)', async () => {
    mockWechatPayConfig(app, { apiVersion: 'v3', notifyUrl: `${appOrigin(app)}/api/pay/notify/v3` });
    const page = await open('phone');
    await payToPaid(page, 'playground-v3-phone', 'RSA', /^v3 \(paySign SHA256withRSA\)$/);
  });

  it('should leave the order PENDING when the payment fails or is cancelled, then close it and list it (phone)', async () => {
    const page = await open('phone');
    const orderNo = await loginAndOrder(page, 'pgfail');
    await openPaySheet(page);
    await page.getByRole('button', { name: 'Payment fails' }).click();
    await waitForText(page, '#pay-result', 'requestPayment:fail the payment failed');
    assert.equal(await text(page, '#pay-check .verdict'), '✓ paySign verified (MD5)');
    assert.equal(await text(page, '#order-status'), 'PENDING');
    // v2 notifies the failure too (result_code FAIL), and the merchant acknowledges it
    await waitForText(page, '.notify-state', 'acknowledged');
    await screenshot(page, 'playground-fail-phone-1-failed');

    await page.getByRole('button', { name: 'Cancel' }).click();
    await waitForText(page, '#pay-result', 'requestPayment:fail cancel');
    await page.getByRole('button', { name: 'Refresh at WeChat' }).click();
    await waitForText(page, '#message', /WeChat was asked: the order is PENDING/);
    assert.equal((await orderInDatabase(orderNo)).status, 'PENDING');

    await page.getByRole('button', { name: 'Close order' }).click();
    await waitForStatus(page, 'CLOSED');
    assert.equal(await page.locator('#get-pay-params').isHidden(), true);
    assert.equal((await orderInDatabase(orderNo)).status, 'CLOSED');
    await screenshot(page, 'playground-fail-phone-2-closed');

    await page.getByRole('button', { name: 'My orders' }).click();
    await page.getByRole('button', { name: new RegExp(`^Open order ${orderNo}, CLOSED, ¥52\\.15$`) }).waitFor();
    assert.equal(await text(page, '#orders-total'), '1 order');
    await screenshot(page, 'playground-fail-phone-3-orders');
    assert.deepEqual(errors, []);
  });

  it('should close a PENDING order, list orders and reach every control by keyboard (laptop)', async () => {
    const page = await open('laptop');
    // The keyboard alone: Tab to the user field, type, Enter submits.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'login-user');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('pgkeys');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Catalogue' }).waitFor();
    await page.getByLabel('Quantity of Croissant').fill('2');
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.getByRole('heading', { name: 'Order', exact: true }).waitFor();
    const first = await text(page, '#order-no');
    await page.getByRole('button', { name: 'Close order' }).click();
    await waitForStatus(page, 'CLOSED');

    await page.getByRole('button', { name: 'Shop' }).click();
    await page.getByLabel('Quantity of Latte').fill('1');
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.getByRole('heading', { name: 'Order', exact: true }).waitFor();
    const second = await text(page, '#order-no');
    await page.getByRole('button', { name: 'My orders' }).click();
    await page.getByRole('button', { name: new RegExp(`^Open order ${second}, PENDING, ¥26\\.00$`) }).waitFor();
    await page.getByRole('button', { name: new RegExp(`^Open order ${first}, CLOSED, ¥25\\.00$`) }).waitFor();
    assert.equal(await text(page, '#orders-total'), '2 orders');
    await screenshot(page, 'playground-orders-laptop');

    // Every control has an accessible name.
    // (a string: this file is compiled without the DOM's types)
    const unnamed = await page.evaluate(`[ ...document.querySelectorAll('button, input') ]
      .filter(element => !element.innerText.trim() && !element.getAttribute('aria-label') && !(element.labels && element.labels.length))
      .map(element => element.outerHTML)`);
    assert.deepEqual(unnamed, []);
    assert.deepEqual(errors, []);
  });
});
