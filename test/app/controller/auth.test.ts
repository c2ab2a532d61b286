import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { app } from 'egg-mock/bootstrap';
import { bearer, loginAs, seedProducts } from '../../support/client';

const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;

// Customer tokens on the customer API. The staff side (a token without exp,
// an account removed since) is in admin_auth.test.ts.
describe('test/app/controller/auth.test.ts', () => {
  let productId: number;

  beforeEach(async () => {
    [{ id: productId }] = await seedProducts(app, [{ name: 'Latte', price: 1800, stock: 10 }]);
  });

  function createOrder(token: string) {
    return app.httpRequest().post('/api/orders').set('authorization', bearer(token))
      .send({ items: [{ productId, quantity: 1 }] });
  }

  it('should refuse a correctly signed customer token without exp', async () => {
    const { userId } = await loginAs(app, 'no-exp');
    const secret = app.config.auth.tokenSecret;
    const never = jwt.sign({ sub: String(userId), aud: 'customer' }, secret, { algorithm: 'HS256' });
    const res = await createOrder(never).expect(401);
    assert.equal(res.body.code, 'TOKEN_INVALID');
    await app.httpRequest().get('/api/orders').set('authorization', bearer(never))
      .expect(401);
    // the same claims with an exp are let in: the refusal was for the missing exp
    const expiring = jwt.sign({ sub: String(userId), aud: 'customer', exp: inSeconds(60) }, secret, { algorithm: 'HS256' });
    await createOrder(expiring).expect(201);
  });

  it('should answer 401, not 500, to an order by a user removed after the token was issued', async () => {
    const { token, userId } = await loginAs(app, 'removed');
    await app.model.User.destroy({ where: { id: userId } });
    const res = await createOrder(token).expect(401);
    assert.equal(res.body.code, 'TOKEN_INVALID');
    assert.equal(await app.model.Order.count(), 0);
    // the stock reserved in the failed transaction went back with it
    const product = await app.model.Product.findByPk(productId);
    assert.equal(product!.stock, 10);
  });
});
