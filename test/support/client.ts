import { MockApplication } from 'egg-mock';
import assert from 'node:assert/strict';

let codeSequence = 0;
// wx.login codes are single-use: make each one unique across the whole run.
const RUN = Date.now().toString(36);

/** Logs a sandbox user in (a fresh wx.login code each time) and returns the token. */
export async function loginAs(app: MockApplication, user: string): Promise<{ token: string; userId: number }> {
  codeSequence += 1;
  const res = await app.httpRequest()
    .post('/api/login')
    .send({ code: `${user}.${RUN}${codeSequence}` })
    .expect(200);
  assert.equal(typeof res.body.token, 'string');
  return { token: res.body.token, userId: res.body.user.id };
}

/** Puts products in the catalogue; prices in fen. */
export async function seedProducts(app: MockApplication, products: Array<{ name: string; price: number; stock: number }>) {
  return app.model.Product.bulkCreate(products);
}

export function bearer(token: string): string {
  return `Bearer ${token}`;
}
