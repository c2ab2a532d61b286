import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SANDBOX_APPID, SANDBOX_MCHID } from '../../sandbox/credentials';
import { callV2, control, orderFields, RunningSandbox, startSandbox } from './support';

describe('test/sandbox/state-file.test.ts', () => {
  let dir: string;
  let statePath: string;
  const running: RunningSandbox[] = [];

  async function start(): Promise<RunningSandbox> {
    const sandbox = await startSandbox({ statePath });
    running.push(sandbox);
    return sandbox;
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sandbox-state-'));
    statePath = path.join(dir, 'nested', 'sandbox-state.json');
  });

  afterEach(async () => {
    for (const sandbox of running.splice(0)) await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should keep trades across a restart: queried, found by prepay_id, paid and closed as before', async () => {
    const first = await start();
    const paidOrder = orderFields();
    const unpaidOrder = orderFields();
    const paidReply = await callV2(first.origin, 'unifiedorder', paidOrder);
    const unpaidReply = await callV2(first.origin, 'unifiedorder', unpaidOrder, 'HMAC-SHA256');
    const paid = await control(first.origin, 'POST', '/pay', { prepayId: paidReply.fields.prepay_id, deliverNotify: false });
    assert.equal(paid.status, 200);
    await first.close();
    // Written through a temporary file renamed over the target: nothing else is left beside it.
    assert.deepEqual(readdirSync(path.dirname(statePath)), [ path.basename(statePath) ]);

    const second = await start();
    const query = (outTradeNo: unknown) => callV2(second.origin, 'orderquery', {
      appid: SANDBOX_APPID, mch_id: SANDBOX_MCHID, out_trade_no: String(outTradeNo),
    });
    const paidQuery = await query(paidOrder.out_trade_no);
    assert.equal(paidQuery.fields.trade_state, 'SUCCESS');
    assert.equal(paidQuery.fields.transaction_id, paid.body.transactionId);
    const byTransaction = await callV2(second.origin, 'orderquery', {
      appid: SANDBOX_APPID, mch_id: SANDBOX_MCHID, transaction_id: String(paid.body.transactionId),
    });
    assert.equal(byTransaction.fields.out_trade_no, String(paidOrder.out_trade_no));

    // The same order again gets the same prepay_id; the payer can still pay it.
    const again = await callV2(second.origin, 'unifiedorder', unpaidOrder, 'HMAC-SHA256');
    assert.equal(again.fields.prepay_id, unpaidReply.fields.prepay_id);
    const later = await control(second.origin, 'POST', '/pay', { prepayId: unpaidReply.fields.prepay_id, deliverNotify: false });
    assert.equal(later.body.state, 'SUCCESS');
    assert.equal((await query(unpaidOrder.out_trade_no)).fields.trade_state, 'SUCCESS');
  });

  it('should save after every change', async () => {
    const sandbox = await start();
    const order = orderFields();
    await callV2(sandbox.origin, 'unifiedorder', order);
    const saved = () => JSON.parse(readFileSync(statePath, 'utf8')).trades[0].state;
    assert.equal(saved(), 'NOTPAY');
    await callV2(sandbox.origin, 'closeorder', { appid: SANDBOX_APPID, mch_id: SANDBOX_MCHID, out_trade_no: order.out_trade_no });
    assert.equal(saved(), 'CLOSED');
  });

  it('should refuse to start on a file it did not write, naming it', async () => {
    writeFileSync(path.join(dir, 'garbage.json'), '{"trades":');
    statePath = path.join(dir, 'garbage.json');
    await assert.rejects(start(), (err: Error) => err.message.includes(statePath));
  });
});
