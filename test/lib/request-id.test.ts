import assert from 'node:assert/strict';
import { chooseRequestId, isSaneRequestId } from '../../app/lib/request-id';

describe('test/lib/request-id.test.ts', () => {
  const made = () => 'made-here';

  it('should keep a sane id from a trusted proxy', () => {
    for (const id of [ 'a', '0f8fad5b-d9cb-469f-a165-70867728950e', 'Root-1.abc_DEF', 'x'.repeat(128) ]) {
      assert.equal(isSaneRequestId(id), true, id);
      assert.equal(chooseRequestId(id, true, made), id);
    }
  });

  it('should make one when the proxy is not trusted, whatever the client sends', () => {
    assert.equal(chooseRequestId('0f8fad5b-d9cb-469f-a165-70867728950e', false, made), 'made-here');
    assert.equal(chooseRequestId(undefined, false, made), 'made-here');
  });

  it('should make one for a missing, empty, long, repeated or strange id, trusted or not', () => {
    for (const id of [ undefined, '', 'x'.repeat(129), 'a b', 'a\nb', 'a/b', 'a]b', 'é', [ 'a', 'b' ]]) {
      assert.equal(chooseRequestId(id, true, made), 'made-here', String(id));
    }
  });

  it('should make UUIDs by default', () => {
    assert.match(chooseRequestId(undefined, false), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
