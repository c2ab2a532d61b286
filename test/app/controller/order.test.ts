import assert from 'node:assert/strict';
import { app } from 'egg-mock/bootstrap';
import { bearer, loginAs, seedProducts } from '../../support/client';
import { ORDER_NO_PATTERN } from '../../../app/lib/order-no';

describe('test/app/controller/order.test.ts', () => {
  let token: string;
  let latte: number;
  let croissant: number;

  beforeEach(async () => {
    ({ token } = await loginAs(app, 'alice'));
    const [ a, b ] = await seedProducts(app, [
      { name: 'Latte', price: 2600, stock: 10 },
      { name: 'Croissant', price: 1200, stock: 2 },
    ]);
    latte = a.id;
    croissant = b.id;
  });

  async function stockOf(id: number) {
    return (await app.model.Product.findByPk(id))!.stock;
  }

  describe('POST /api/orders', () => {
    it('should price the order from the catalogue and reserve stock', async () => {
      const res = await app.httpRequest().post('/api/orders').set('authorization', bearer(token))
        .send({ items: [{ productId: latte, quantity: 2 }, { productId: croissant, quantity: 1 }] })
        .expect(201);
      assert.equal(res.body.amount, 2600 * 2 + 1200);
      assert.equal(res.body.status, 'PENDING');
      assert.match(res.body.orderNo, ORDER_NO_PATTERN);
      assert.ok(res.body.orderNo.length <= 32);
      assert.equal(res.body.paidAt, null);
      assert.equal(res.body.transactionId, null);
      assert.deepEqual(res.body.items.map((i: any) => [ i.productId, i.unitPrice, i.quantity, i.amount ]),
        [[ latte, 2600, 2, 5200 ], [ croissant, 1200, 1, 1200 ]]);
      assert.equal(await stockOf(latte), 8);
      assert.equal(await stockOf(croissant), 1);
      const order = await app.model.Order.findOne({ where: { orderNo: res.body.orderNo } });
      assert.equal(order!.amount, 6400);
    });

    it('should ignore amounts and prices sent by the client', async () => {
      const res = await app.httpRequest().post('/api/orders').set('authorization', bearer(token))
        .send({ amount: 1, items: [{ productId: latte, quantity: 1, price: 1, amount: 1 }] })
        .expect(201);
      assert.equal(res.body.amount, 2600);
    });

    it('should merge lines of one product before checking stock', async () => {
      const res = await app.httpRequest().post('/api/orders').set('authorization', bearer(token))
        .send({ items: [{ productId: croissant, quantity: 2 }, { productId: croissant, quantity: 1 }] })
        .expect(409);
      assert.equal(res.body.code, 'OUT_OF_STOCK');
      assert.equal(await stockOf(croissant), 2);
    });

    it('should answer 409 and change nothing when stock is short', async () => {
      const res = await app.httpRequest().post('/api/orders').set('authorization', bearer(token))
        .send({ items: [{ productId: latte, quantity: 1 }, { productId: croissant, quantity: 3 }] })
        .expect(409);
      assert.equal(res.body.code, 'OUT_OF_STOCK');
      assert.equal(await stockOf(latte), 10);
      assert.equal(await app.model.Order.count(), 0);
      assert.equal(await app.model.OrderItem.count(), 0);
    });

    it('should never sell more than the stock to concurrent buyers', async () => {
      const replies = await Promise.all(Array.from({ length: 6 }, () =>
        app.httpRequest().post('/api/orders').set('authorization', bearer(token))
          .send({ items: [{ productId: croissant, quantity: 1 }] })));
      assert.equal(replies.filter(r => r.status === 201).length, 2);
      assert.equal(replies.filter(r => r.status === 409).length, 4);
      assert.equal(await stockOf(croissant), 0);
    });

    it('should answer 404 and change nothing for an unknown product', async () => {
      const res = await app.httpRequest().post('/api/orders').set('authorization', bearer(token))
        .send({ items: [{ productId: latte, quantity: 1 }, { productId: 999999, quantity: 1 }] })
        .expect(404);
      assert.equal(res.body.code, 'PRODUCT_NOT_FOUND');
      assert.equal(await stockOf(latte), 10);
      assert.equal(await app.model.Order.count(), 0);
    });

    const badBodies: Array<[string, unknown, string]> = [
      [ 'no items', {}, 'ITEMS_REQUIRED' ],
      [ 'empty items', { items: [] }, 'ITEMS_REQUIRED' ],
      [ 'items not an array', { items: 'latte' }, 'ITEMS_REQUIRED' ],
      [ 'an item that is not an object', { items: [ 1 ] }, 'INVALID_ITEM' ],
      [ 'a missing productId', { items: [{ quantity: 1 }] }, 'INVALID_PRODUCT_ID' ],
      [ 'a productId as a string', { items: [{ productId: '1', quantity: 1 }] }, 'INVALID_PRODUCT_ID' ],
      [ 'a missing quantity', { items: [{ productId: 1 }] }, 'INVALID_QUANTITY' ],
      [ 'a zero quantity', { items: [{ productId: 1, quantity: 0 }] }, 'INVALID_QUANTITY' ],
      [ 'a negative quantity', { items: [{ productId: 1, quantity: -1 }] }, 'INVALID_QUANTITY' ],
      [ 'a fractional quantity', { items: [{ productId: 1, quantity: 1.5 }] }, 'INVALID_QUANTITY' ],
      [ 'a quantity as a string', { items: [{ productId: 1, quantity: '2' }] }, 'INVALID_QUANTITY' ],
      [ 'a huge quantity', { items: [{ productId: 1, quantity: 1e9 }] }, 'INVALID_QUANTITY' ],
      [ 'too many items', { items: Array.from({ length: 21 }, (_, i) => ({ productId: i + 1, quantity: 1 })) }, 'TOO_MANY_ITEMS' ],
    ];
    badBodies.forEach(([ name, body, code ]) => {
      it(`should answer 400 ${code} for ${name}`, async () => {
        const res = await app.httpRequest().post('/api/orders').set('authorization', bearer(token))
          .send(body as object)
          .expect(400);
        assert.equal(res.body.code, code);
        assert.equal(typeof res.body.message, 'string');
        assert.equal(await app.model.Order.count(), 0);
      });
    });

    it('should answer 401 without a token, with a forged one and with an expired one', async () => {
      const jwt = await import('jsonwebtoken');
      const forged = jwt.sign({ sub: '1' }, 'not-our-secret', { algorithm: 'HS256' });
      const expired = jwt.sign({ sub: '1', exp: Math.floor(Date.now() / 1000) - 10 },
        app.config.auth.tokenSecret, { algorithm: 'HS256' });
      const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"1"}').toString('base64url')}.`;
      for (const header of [ undefined, 'Bearer', bearer(forged), bearer(expired), bearer(none), `Basic ${token}` ]) {
        const req = app.httpRequest().post('/api/orders');
        if (header) req.set('authorization', header);
        const res = await req.send({ items: [{ productId: latte, quantity: 1 }] }).expect(401);
        assert.match(res.body.code, /^TOKEN_(REQUIRED|INVALID)$/);
      }
      assert.equal(await app.model.Order.count(), 0);
    });
  });

  describe('GET /api/orders', () => {
    it('should list only the caller\'s orders, newest first, paginated', async () => {
      const created: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await app.httpRequest().post('/api/orders').set('authorization', bearer(token))
          .send({ items: [{ productId: latte, quantity: 1 }] })
          .expect(201);
        created.push(res.body.orderNo);
      }
      const other = await loginAs(app, 'bob');
      await app.httpRequest().post('/api/orders').set('authorization', bearer(other.token))
        .send({ items: [{ productId: latte, quantity: 1 }] })
        .expect(201);

      const page1 = await app.httpRequest().get('/api/orders?page=1&pageSize=2')
        .set('authorization', bearer(token))
        .expect(200);
      assert.equal(page1.body.total, 3);
      assert.equal(page1.body.page, 1);
      assert.equal(page1.body.pageSize, 2);
      assert.deepEqual(page1.body.items.map((o: any) => o.orderNo), [ created[2], created[1] ]);
      assert.equal(page1.body.items[0].items.length, 1);
      const page2 = await app.httpRequest().get('/api/orders?page=2&pageSize=2')
        .set('authorization', bearer(token))
        .expect(200);
      assert.deepEqual(page2.body.items.map((o: any) => o.orderNo), [ created[0] ]);
    });

    it('should answer 400 for a bad page or pageSize', async () => {
      for (const query of [ 'page=0', 'page=x', 'pageSize=101', 'pageSize=0', 'pageSize=1.5' ]) {
        const res = await app.httpRequest().get(`/api/orders?${query}`)
          .set('authorization', bearer(token))
          .expect(400);
        assert.equal(res.body.code, 'INVALID_PAGINATION');
      }
    });
  });

  describe('GET /api/orders/:orderNo', () => {
    it('should show the owner\'s order and 404 another user\'s', async () => {
      const created = await app.httpRequest().post('/api/orders').set('authorization', bearer(token))
        .send({ items: [{ productId: latte, quantity: 3 }] })
        .expect(201);
      const mine = await app.httpRequest().get(`/api/orders/${created.body.orderNo}`)
        .set('authorization', bearer(token))
        .expect(200);
      assert.equal(mine.body.orderNo, created.body.orderNo);
      assert.equal(mine.body.amount, 7800);
      assert.equal(mine.body.status, 'PENDING');
      assert.equal(mine.body.paidAt, null);
      assert.equal(mine.body.transactionId, null);
      assert.equal(mine.body.items[0].quantity, 3);

      const other = await loginAs(app, 'mallory');
      const res = await app.httpRequest().get(`/api/orders/${created.body.orderNo}`)
        .set('authorization', bearer(other.token))
        .expect(404);
      assert.equal(res.body.code, 'ORDER_NOT_FOUND');
    });

    it('should answer 404 for an unknown or malformed order number', async () => {
      await app.httpRequest().get('/api/orders/20261122000000AAAAAAAAAAAA')
        .set('authorization', bearer(token))
        .expect(404);
      await app.httpRequest().get(`/api/orders/${'x'.repeat(40)}`)
        .set('authorization', bearer(token))
        .expect(404);
    });
  });
});
