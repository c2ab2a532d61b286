import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SANDBOX_APPID, SANDBOX_MCHID } from '../../sandbox/credentials';
import { callV2, control } from './support';
import { callRefundV2, paidTrade, RefundSandbox, refundFields, startRefundSandbox } from './refund-support';

describe('test/sandbox/refund-state.test.ts', () => {
  let dir: string;
  let statePath: string;
  const running: RefundSandbox[] = [];

  async function start(): Promise<RefundSandbox> {
    const sandbox = await startRefundSandbox({ statePath });
    running.push(sandbox);
    return sandbox;
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sandbox-refund-state-'));
    statePath = path.join(dir, 'sandbox-state.json');
  });

  afterEach(async () => {
    for (const sandbox of running.splice(0)) await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should keep refunds in the state file beside the trades, and find them after a restart', async () => {
    const first = await start();
    const { outTradeNo } = await paidTrade(first.origin);
    const fields = refundFields(outTradeNo, { refund_fee: 1000 });
    const accepted = await callRefundV2(first.tlsOrigin, fields);
    await control(first.origin, 'POST', '/refund', { refundNo: fields.out_refund_no, outcome: 'SUCCESS', deliverNotify: false });
    const saved = JSON.parse(readFileSync(statePath, 'utf8'));
    assert.equal(saved.version, 1);
    assert.equal(saved.trades.length, 1);
    assert.deepEqual(saved.refunds.map((refund: { outRefundNo: string; status: string }) => [ refund.outRefundNo, refund.status ]),
      [[ fields.out_refund_no, 'SUCCESS' ]]);
    await first.close();

    const second = await start();
    const query = await callV2(second.origin, 'refundquery', { appid: SANDBOX_APPID, mch_id: SANDBOX_MCHID, out_refund_no: fields.out_refund_no });
    assert.equal(query.fields.refund_id_0, accepted.fields.refund_id, query.text);
    assert.equal(query.fields.refund_status_0, 'SUCCESS');
    // The restarted WeChat still counts the refund against the trade, and still knows its out_refund_no.
    const again = await callRefundV2(second.tlsOrigin, fields);
    assert.equal(again.fields.refund_id, accepted.fields.refund_id);
    const over = await callRefundV2(second.tlsOrigin, refundFields(outTradeNo, { refund_fee: 281 }));
    assert.equal(over.fields.err_code, 'INVALID_REQUEST');
  });

  it('should read a state file written before refunds existed', async () => {
    writeFileSync(statePath, JSON.stringify({ version: 1, trades: [], prepayIds: [], transactionIds: [] }));
    const sandbox = await start();
    const { outTradeNo } = await paidTrade(sandbox.origin);
    assert.equal((await callRefundV2(sandbox.tlsOrigin, refundFields(outTradeNo))).fields.result_code, 'SUCCESS');
  });

  it('should refuse to start on refunds it did not write, naming the file', async () => {
    writeFileSync(statePath, JSON.stringify({ version: 1, trades: [], prepayIds: [], transactionIds: [], refunds: {} }));
    await assert.rejects(start(), (err: Error) => err.message.includes(statePath) && err.message.includes('refunds'));
  });
});
