import { MockApplication } from 'egg-mock';
import { bearer, loginAs, seedProducts } from './client';

/** A logged-in user with one PENDING order of `quantity` lattes (2600 fen each). */
export async function pendingOrder(app: MockApplication, user = 'payer', quantity = 1) {
  const { token, userId } = await loginAs(app, user);
  const [ product ] = await seedProducts(app, [{ name: 'Latte', price: 2600, stock: 100 }]);
  const res = await app.httpRequest().post('/api/orders').set('authorization', bearer(token))
    .send({ items: [{ productId: product.id, quantity }] })
    .expect(201);
  return { token, userId, productId: product.id, orderNo: res.body.orderNo as string, amount: res.body.amount as number };
}
