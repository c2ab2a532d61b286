import assert from 'node:assert/strict';
import { beijingCompact, beijingDateTime, beijingRfc3339, compactToMs, compactToRfc3339 } from '../../../sandbox/wechat/time';

describe('test/sandbox/wechat/time.test.ts', () => {
  // 2017-11-25 07:36:17 UTC is 15:36:17 in Beijing.
  const instant = Date.UTC(2017, 10, 25, 7, 36, 17);

  it('should write v2 times as yyyyMMddHHmmss in Beijing time', () => {
    assert.equal(beijingCompact(instant), '20171125153617');
  });

  it('should write v3 times as RFC 3339 with +08:00', () => {
    assert.equal(beijingRfc3339(instant), '2017-11-25T15:36:17+08:00');
    assert.equal(Date.parse(beijingRfc3339(instant)), instant);
  });

  it('should roll over to the next Beijing day after 16:00 UTC', () => {
    assert.equal(beijingCompact(Date.UTC(2026, 11, 31, 16, 0, 0)), '20270101000000');
  });

  it('should turn a v2 time into the v3 form of the same instant', () => {
    assert.equal(compactToRfc3339('20171125153617'), '2017-11-25T15:36:17+08:00');
    assert.throws(() => compactToRfc3339('2017-11-25'));
  });

  it('should write v2 refund times as yyyy-MM-dd HH:mm:ss in Beijing time', () => {
    // the success_time of the published refund notify vector R1
    assert.equal(beijingDateTime(instant), '2017-11-25 15:36:17');
  });

  it('should read a v2 time back as the instant it names', () => {
    assert.equal(compactToMs('20171125153617'), instant);
    assert.throws(() => compactToMs('2017-11-25 15:36:17'));
  });
});
