import assert from 'node:assert/strict';
import { app } from 'egg-mock/bootstrap';
import { seedProducts } from '../../support/client';

describe('test/app/controller/product.test.ts', () => {
  it('should list the catalogue with prices in fen', async () => {
    await seedProducts(app, [
      { name: 'Latte', price: 2600, stock: 5 },
      { name: 'Croissant', price: 1200, stock: 0 },
    ]);
    const res = await app.httpRequest().get('/api/products').expect(200);
    assert.equal(res.body.length, 2);
    assert.deepEqual(res.body.map((p: { name: string; price: number; stock: number }) =>
      [ p.name, p.price, p.stock ]), [[ 'Latte', 2600, 5 ], [ 'Croissant', 1200, 0 ]]);
    assert.deepEqual(Object.keys(res.body[0]).sort(), [ 'id', 'name', 'price', 'stock' ]);
  });

  it('should answer an empty list for an empty catalogue', async () => {
    const res = await app.httpRequest().get('/api/products').expect(200);
    assert.deepEqual(res.body, []);
  });
});
