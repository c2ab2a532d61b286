import assert from 'node:assert/strict';
import { v3RequestMessage, v3ResponseMessage } from '../../../sandbox/wechat/v3-message';

// The examples of WeChat Pay's v3 "签名生成" and "签名验证" pages.
describe('test/sandbox/wechat/v3-message.test.ts', () => {
  it('should write a request in five lines, a GET with an empty body line', () => {
    assert.equal(v3RequestMessage('GET', '/v3/certificates', '1554208460', '593BEC0C930BF1AFEB40B4A08C8FB242', ''),
      'GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n');
  });

  it('should write a POST with its body as sent', () => {
    const body = '{"appid":"wxd678efh567hg6787","mchid":"1230000109"}';
    assert.equal(v3RequestMessage('POST', '/v3/pay/transactions/jsapi', '1554208460', 'N', body),
      `POST\n/v3/pay/transactions/jsapi\n1554208460\nN\n${body}\n`);
  });

  it('should write a reply or notify in three lines', () => {
    assert.equal(v3ResponseMessage('1554209980', 'c5ac7061fccab6bf3e254dcf98995b8c', '{"a":1}'),
      '1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{"a":1}\n');
    assert.equal(v3ResponseMessage('1', 'N', ''), '1\nN\n\n');
  });
});
