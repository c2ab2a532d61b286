import assert from 'node:assert/strict';
import { app } from 'egg-mock/bootstrap';
import { sandboxOpenid } from '../../../sandbox/login';
import { bearer, loginAs, seedProducts } from '../../support/client';
import { staffToken } from '../staff-accounts';

describe('test/app/controller/admin_order.test.ts', () => {
  let staff: string;
  let alice: { token: string; userId: number };
  let bob: { token: string; userId: number };
  let latte: number;

  beforeEach(async () => {
    staff = bearer(await staffToken(app, 'victor', 'viewer'));
    alice = await loginAs(app, 'alice');
    bob = await loginAs(app, 'bob');
    [{ id: latte }] = await seedProducts(app, [{ name: 'Latte', price: 2600, stock: 100 }]);
  });

  async function order(customer: { token: string }, quantity = 1): Promise<string> {
    const res = await app.httpRequest().post('/api/orders').set('authorization', bearer(customer.token))
      .send({ items: [{ productId: latte, quantity }] })
      .expect(201);
    return res.body.orderNo;
  }

  /** Test set-up only: backdates an order (what the filters read). */
  async function createdAt(orderNo: string, at: string) {
    await app.model.query('UPDATE orders SET created_at = ? WHERE order_no = ?', { replacements: [ new Date(at), orderNo ] });
  }

  function list(query = '') {
    return app.httpRequest().get(`/admin/api/orders${query}`).set('authorization', staff);
  }

  describe('GET /admin/api/orders', () => {
    it('should list every user\'s orders, newest first, with whose each is', async () => {
      const first = await order(alice, 1);
      const second = await order(bob, 2);
      const third = await order(alice, 3);
      const res = await list().expect(200);
      assert.equal(res.body.total, 3);
      assert.equal(res.body.page, 1);
      assert.equal(res.body.pageSize, 20);
      assert.deepEqual(res.body.items.map((o: any) => o.orderNo), [ third, second, first ]);
      const [ item ] = res.body.items;
      assert.equal(item.userId, alice.userId);
      assert.equal(item.openid, sandboxOpenid(app.config.wechat.appId, 'alice'));
      assert.equal(res.body.items[1].openid, sandboxOpenid(app.config.wechat.appId, 'bob'));
      assert.equal(item.amount, 7800);
      assert.equal(item.status, 'PENDING');
      assert.equal(item.paidAt, null);
      assert.deepEqual(item.items.map((i: any) => [ i.productId, i.quantity, i.amount ]), [[ latte, 3, 7800 ]]);
      // the customer's order view, plus whose it is
      const own = await app.httpRequest().get(`/api/orders/${third}`).set('authorization', bearer(alice.token))
        .expect(200);
      assert.deepEqual(item, { ...own.body, userId: alice.userId, openid: item.openid });
    });

    it('should paginate', async () => {
      const orders = [ await order(alice), await order(bob), await order(alice) ];
      const res = await list('?page=2&pageSize=2').expect(200);
      assert.deepEqual({ ...res.body, items: res.body.items.map((o: any) => o.orderNo) },
        { items: [ orders[0] ], total: 3, page: 2, pageSize: 2 });
    });

    it('should filter by status and by order number', async () => {
      const pending = await order(alice);
      const paid = await order(bob);
      await app.model.Order.update({ status: 'PAID' as any, paidAt: new Date(), transactionId: '4200000001202611290000000001' },
        { where: { orderNo: paid } });
      assert.deepEqual((await list('?status=PAID').expect(200)).body.items.map((o: any) => o.orderNo), [ paid ]);
      assert.deepEqual((await list('?status=PENDING').expect(200)).body.items.map((o: any) => o.orderNo), [ pending ]);
      assert.equal((await list('?status=CLOSED').expect(200)).body.total, 0);
      const byNo = await list(`?orderNo=${pending}`).expect(200);
      assert.deepEqual(byNo.body.items.map((o: any) => o.orderNo), [ pending ]);
      assert.equal((await list(`?orderNo=${pending}&status=PAID`).expect(200)).body.total, 0);
    });

    it('should filter on createdAt by Beijing dates, a date `to` taking in its whole day', async () => {
      const lateOn28 = await order(alice); // 23:59:59 on the 28th, Beijing
      const startOf29 = await order(alice); // 00:00:00 on the 29th
      const endOf29 = await order(bob); // 23:59:59 on the 29th
      const on30 = await order(bob); // 00:00:00 on the 30th
      await createdAt(lateOn28, '2026-11-28T15:59:59Z');
      await createdAt(startOf29, '2026-11-28T16:00:00Z');
      await createdAt(endOf29, '2026-11-29T15:59:59Z');
      await createdAt(on30, '2026-11-29T16:00:00Z');
      const orderNos = async (query: string) => (await list(query).expect(200)).body.items.map((o: any) => o.orderNo);
      assert.deepEqual(await orderNos('?from=2026-11-29&to=2026-11-29'), [ endOf29, startOf29 ]);
      assert.deepEqual(await orderNos('?to=2026-11-28'), [ lateOn28 ]);
      assert.deepEqual(await orderNos('?from=2026-11-30'), [ on30 ]);
      assert.deepEqual(await orderNos('?from=2026-11-29T15:59:59Z'), [ on30, endOf29 ]);
      assert.deepEqual(await orderNos('?from=2026-11-29T00:00:00%2B08:00&to=2026-11-29T12:00'), [ startOf29 ]);
      assert.deepEqual(await orderNos('?from=2026-11-29&status=PENDING&page=1&pageSize=1'), [ on30 ]);
    });

    const badQueries: Array<[string, string]> = [
      [ '?status=paid', 'INVALID_STATUS' ],
      [ '?status=SHIPPED', 'INVALID_STATUS' ],
      [ '?from=2026-02-30', 'INVALID_DATE' ],
      [ '?to=yesterday', 'INVALID_DATE' ],
      [ '?from=2026-11-29T10:00:00+08:00', 'INVALID_DATE' ],
      [ '?from=2026-11-30&to=2026-11-29', 'INVALID_DATE_RANGE' ],
      [ '?orderNo=not%20an%20order', 'INVALID_ORDER_NO' ],
      [ '?page=0', 'INVALID_PAGINATION' ],
      [ '?page=x', 'INVALID_PAGINATION' ],
      [ '?pageSize=101', 'INVALID_PAGINATION' ],
    ];
    badQueries.forEach(([ query, code ]) => {
      it(`should answer 400 ${code} for ${query}`, async () => {
        const res = await list(query).expect(400);
        assert.equal(res.body.code, code);
        assert.equal(typeof res.body.message, 'string');
      });
    });
  });

  describe('GET /admin/api/orders/:orderNo', () => {
    it('should show anyone\'s order with its payment events, newest first, without raw bodies', async () => {
      const orderNo = await order(bob, 2);
      const other = await order(alice);
      const { auditTrail } = app.mockContext().service;
      await auditTrail.record({ source: 'notify', apiVersion: 'v2', verified: false, orderNo, outcome: 'BAD_SIGNATURE',
        reason: 'sign mismatch', rawBody: '<xml><sign>forged</sign></xml>' });
      await auditTrail.record({ source: 'query', apiVersion: 'v3', verified: true, orderNo, outcome: 'PAID',
        transactionId: '4200000001202611290000000002', amount: 5200, rawBody: '{"trade_state":"SUCCESS"}' });
      await auditTrail.record({ source: 'notify', apiVersion: 'v2', verified: true, orderNo: other, outcome: 'PAID' });

      const res = await app.httpRequest().get(`/admin/api/orders/${orderNo}`).set('authorization', staff)
        .expect(200);
      const own = await app.httpRequest().get(`/api/orders/${orderNo}`).set('authorization', bearer(bob.token))
        .expect(200);
      const { events, refunds, refundableAmount, ...view } = res.body;
      assert.deepEqual(view, { ...own.body, userId: bob.userId, openid: sandboxOpenid(app.config.wechat.appId, 'bob') });
      // PENDING: nothing to refund
      assert.equal(refundableAmount, 0);
      assert.equal(res.body.amount, 5200);
      assert.equal(res.body.userId, bob.userId);
      assert.equal(res.body.openid, sandboxOpenid(app.config.wechat.appId, 'bob'));
      assert.equal(res.body.items.length, 1);
      // no refund yet: an empty list (the refund flow tests cover a detail with refunds)
      assert.deepEqual(refunds, []);
      assert.deepEqual(events.map((e: any) => e.outcome), [ 'PAID', 'BAD_SIGNATURE' ]);
      const [ paid, forged ] = events;
      assert.deepEqual(Object.keys(paid).sort(),
        [ 'amount', 'apiVersion', 'createdAt', 'id', 'outcome', 'reason', 'source', 'transactionId', 'verified' ]);
      assert.deepEqual({ ...paid, id: undefined, createdAt: undefined }, {
        id: undefined, createdAt: undefined, source: 'query', apiVersion: 'v3', verified: true, outcome: 'PAID', reason: null,
        transactionId: '4200000001202611290000000002', amount: 5200,
      });
      assert.equal(forged.verified, false);
      assert.equal(forged.reason, 'sign mismatch');
      assert.ok(paid.id > forged.id);
      assert.ok(!Number.isNaN(Date.parse(paid.createdAt)));
      assert.doesNotMatch(res.text, /raw_?body|forged|trade_state/i);
    });

    it('should answer 404 for an unknown order', async () => {
      for (const orderNo of [ '20261129000000ABCDEFGHIJKL', 'not*ours|', 'x'.repeat(33) ]) {
        const res = await app.httpRequest().get(`/admin/api/orders/${orderNo}`).set('authorization', staff)
          .expect(404);
        assert.equal(res.body.code, 'ORDER_NOT_FOUND');
      }
    });
  });
});
