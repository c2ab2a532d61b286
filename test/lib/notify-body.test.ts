import assert from 'node:assert/strict';
import { announcesMoreThan, bodyProblemAck } from '../../app/lib/notify-body';

describe('test/lib/notify-body.test.ts', () => {
  it('should tell a Content-Length announcing more than the limit', () => {
    assert.equal(announcesMoreThan('104857600', 1024 * 1024), true);
    assert.equal(announcesMoreThan(' 1048577 ', 1024 * 1024), true);
    assert.equal(announcesMoreThan('1048576', 1024 * 1024), false);
    assert.equal(announcesMoreThan('300', 1024 * 1024), false);
  });

  it('should leave an absent or malformed Content-Length to the body reader', () => {
    for (const header of [ '', 'abc', '-5', '1e9' ]) assert.equal(announcesMoreThan(header, 1024), false);
  });

  it('should answer 413 to an oversized body and the route\'s status to other problems', () => {
    assert.equal(bodyProblemAck('TOO_LARGE', 200).status, 413);
    assert.equal(bodyProblemAck('EMPTY', 400).status, 400);
  });
});
