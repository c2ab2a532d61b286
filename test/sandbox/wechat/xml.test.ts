import assert from 'node:assert/strict';
import { fromXml, toXml, WechatXmlError } from '../../../sandbox/wechat/xml';
import { REFUND_REQ_INFO } from '../../fixtures/wechatpay-vectors';

describe('test/sandbox/wechat/xml.test.ts', () => {
  describe('toXml()', () => {
    it('should write strings in CDATA and numbers as text, in order, without null or undefined', () => {
      assert.equal(toXml({ return_code: 'SUCCESS', total_fee: 1280, attach: undefined, sign: null, body: '咖啡 & 茶' }),
        '<xml><return_code><![CDATA[SUCCESS]]></return_code><total_fee>1280</total_fee><body><![CDATA[咖啡 & 茶]]></body></xml>');
    });

    it('should keep a value holding ]]> intact', () => {
      const value = 'a]]>b]]>c';
      assert.equal(fromXml(toXml({ attach: value })).attach, value);
    });

    it('should refuse a name that is not an XML name', () => {
      assert.throws(() => toXml({ 'a b': 'x' }), WechatXmlError);
      assert.throws(() => toXml({ a: 'x' }, 'a b'), WechatXmlError);
    });

    it("should write a refund notify's <root> exactly as the published vector R2 holds it", () => {
      const fields = fromXml(REFUND_REQ_INFO.R2.plaintext.replace(/^<root>/, '<xml>').replace(/<\/root>$/, '</xml>'));
      assert.equal(toXml(fields, 'root'), REFUND_REQ_INFO.R2.plaintext);
    });
  });

  describe('fromXml()', () => {
    it('should read CDATA, text, entities and empty fields, with a declaration and whitespace', () => {
      const fields = fromXml('<?xml version="1.0" encoding="UTF-8"?>\n<xml>\n  <appid><![CDATA[wx1]]></appid>\n'
        + '  <total_fee>1</total_fee>\n  <attach>a&amp;b</attach>\n  <empty></empty><alone/>\n</xml>\n');
      assert.deepEqual({ ...fields }, { appid: 'wx1', total_fee: '1', attach: 'a&b', empty: '', alone: '' });
    });

    it('should read a service-style document with blank text around CDATA', () => {
      assert.equal(fromXml('<xml><a>\n<![CDATA[x]]>\n</a></xml>').a, 'x');
    });

    for (const [ why, text ] of [
      [ 'empty', '' ],
      [ 'not XML', 'return_code=SUCCESS' ],
      [ 'cut short', '<xml><a>1</a>' ],
      [ 'mismatched tags', '<xml><a>1</b></xml>' ],
      [ 'another root', '<root><a>1</a></root>' ],
      [ 'nested fields', '<xml><a><b>1</b></a></xml>' ],
      [ 'a repeated field', '<xml><a>1</a><a>2</a></xml>' ],
      [ 'text outside fields', '<xml>loose<a>1</a></xml>' ],
      [ 'mixed text and CDATA', '<xml><a>x<![CDATA[y]]></a></xml>' ],
      [ 'a DTD', '<!DOCTYPE xml [<!ENTITY e "x">]><xml><a>&e;</a></xml>' ],
    ]) {
      it(`should refuse ${why}`, () => {
        assert.throws(() => fromXml(text), WechatXmlError);
      });
    }
  });
});
