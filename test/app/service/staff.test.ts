import assert from 'node:assert/strict';
import { app } from 'egg-mock/bootstrap';
import { DEMO_STAFF } from '../../../app/service/staff';
import { parsePasswordHash } from '../../../app/lib/password';

describe('test/app/service/staff.test.ts', () => {
  it('should create a missing account once and leave an existing one as it is', async () => {
    const { staff } = app.mockContext().service;
    assert.equal(await staff.createIfMissing({ username: 'Carol', role: 'viewer', password: 'first-password' }), true);
    const created = (await app.model.Staff.findOne({ where: { username: 'carol' } }))!;
    assert.equal(created.role, 'viewer');
    assert.equal(created.disabled, false);
    assert.equal(parsePasswordHash(created.passwordHash)!.N, 32768);
    assert.equal(await staff.createIfMissing({ username: 'carol', role: 'operator', password: 'other-password' }), false);
    const after = (await app.model.Staff.findOne({ where: { username: 'carol' } }))!;
    assert.equal(after.passwordHash, created.passwordHash);
    assert.equal(after.role, 'viewer');
  });

  it('should seed the local demo operator that can sign in (only `npm run dev` does, from app.ts)', async () => {
    assert.equal(app.config.env, 'unittest');
    assert.equal(await app.model.Staff.count(), 0);
    assert.deepEqual({ ...DEMO_STAFF }, { username: 'demo', role: 'operator', password: 'demo-password' });
    await app.mockContext().service.staff.createIfMissing(DEMO_STAFF);
    const res = await app.httpRequest().post('/admin/api/login').send({ username: 'demo', password: 'demo-password' })
      .expect(200);
    assert.deepEqual(res.body.staff, { username: 'demo', role: 'operator' });
  });

  it('should find only enabled accounts as active', async () => {
    const { staff } = app.mockContext().service;
    await staff.createIfMissing({ username: 'dora', role: 'operator', password: 'dora-password' });
    assert.deepEqual(await staff.findActive('dora'), { username: 'dora', role: 'operator' });
    await app.model.Staff.update({ disabled: true }, { where: { username: 'dora' } });
    assert.equal(await staff.findActive('dora'), null);
    assert.equal(await staff.findActive('nobody'), null);
  });
});
