import assert from 'node:assert/strict';
import { buildXml, parseXml, XmlError, XmlErrorCode } from '../../../app/lib/wxpay/xml';

// Asserts that parseXml refuses `text` with the given XmlError code.
function assertRejected(text: string, code: XmlErrorCode): void {
  assert.throws(() => parseXml(text), (err: unknown) => {
    assert.ok(err instanceof XmlError, `expected XmlError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

// parseXml returns a null-prototype object; spread it to compare with a literal.
function parsePlain(text: string): Record<string, string> {
  return { ...parseXml(text) };
}

const NOTIFY_XML = `<xml>
  <appid><![CDATA[wx2421b1c4370ec43b]]></appid>
  <attach><![CDATA[支付测试]]></attach>
  <mch_id><![CDATA[10000100]]></mch_id>
  <total_fee>1</total_fee>
  <result_code><![CDATA[SUCCESS]]></result_code>
</xml>`;

describe('test/lib/wxpay/xml.test.ts', () => {
  describe('buildXml()', () => {
    it('should write strings as CDATA and skip null/undefined fields', () => {
      const xml = buildXml({ return_code: 'SUCCESS', total_fee: 1, attach: undefined, detail: null });
      assert.equal(xml, '<xml><return_code><![CDATA[SUCCESS]]></return_code><total_fee>1</total_fee></xml>');
    });

    it('should write an empty string as an empty CDATA section', () => {
      assert.equal(buildXml({ a: '' }), '<xml><a><![CDATA[]]></a></xml>');
    });

    it('should split every ]]> so it cannot close the CDATA section', () => {
      const xml = buildXml({ a: 'x]]>y]]>z' });
      assert.equal(xml, '<xml><a><![CDATA[x]]]]><![CDATA[>y]]]]><![CDATA[>z]]></a></xml>');
    });

    it('should refuse field names that are not plain XML names', () => {
      assert.throws(() => buildXml({ 'a><b': 'x' }), /Invalid XML field name/);
      assert.throws(() => buildXml({ '1a': 'x' }), /Invalid XML field name/);
    });

    it('should refuse non-finite numbers', () => {
      assert.throws(() => buildXml({ total_fee: Number.NaN }), /finite/);
    });
  });

  describe('round trip', () => {
    it('should round-trip strings and numbers', () => {
      const fields = { appid: 'wxd930ea5d5a258f4f', total_fee: 100, body: 'test' };
      assert.deepEqual(parsePlain(buildXml(fields)), { appid: 'wxd930ea5d5a258f4f', total_fee: '100', body: 'test' });
    });

    it('should round-trip Chinese text', () => {
      const body = '腾讯充值中心-QQ会员充值 😀';
      assert.equal(parseXml(buildXml({ body })).body, body);
    });

    it('should round-trip ]]>, <, & and quotes', () => {
      const tricky = [ ']]>', 'a]]>b]]>c', '<b>&amp;</b> & < > " \'', '&lt;', ']]', ']>', '<![CDATA[x]]>' ];
      for (const value of tricky) {
        assert.equal(parseXml(buildXml({ value })).value, value, JSON.stringify(value));
      }
    });

    it('should round-trip whitespace and newlines inside values', () => {
      const value = '  line 1\n\tline 2  ';
      assert.equal(parseXml(buildXml({ value, blank: ' ' })).value, value);
      assert.equal(parseXml(buildXml({ blank: ' ' })).blank, ' ');
    });
  });

  describe('parseXml()', () => {
    it('should parse a pretty-printed notification', () => {
      assert.deepEqual(parsePlain(NOTIFY_XML), {
        appid: 'wx2421b1c4370ec43b',
        attach: '支付测试',
        mch_id: '10000100',
        total_fee: '1',
        result_code: 'SUCCESS',
      });
    });

    it('should accept an XML declaration and a byte order mark', () => {
      assert.deepEqual(parsePlain('\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<xml><a>1</a></xml>\n'), { a: '1' });
    });

    it('should decode entities in text and concatenate text with CDATA', () => {
      assert.deepEqual(parsePlain('<xml><a>&lt;x&gt; &amp; &#x4E2D;</a><b>1<![CDATA[<2>]]>3</b></xml>'), {
        a: '<x> & 中',
        b: '1<2>3',
      });
    });

    it('should give an empty string for an empty element', () => {
      assert.deepEqual(parsePlain('<xml><a></a><b/><c><![CDATA[]]></c></xml>'), { a: '', b: '', c: '' });
    });

    it('should accept an empty root', () => {
      assert.deepEqual(parsePlain('<xml></xml>'), {});
      assert.deepEqual(parsePlain('<xml/>'), {});
    });

    it('should keep names like __proto__ as plain data', () => {
      const fields = parseXml('<xml><__proto__>x</__proto__><constructor>y</constructor></xml>');
      assert.equal(Object.getPrototypeOf(fields), null);
      assert.deepEqual(Object.entries(fields), [[ '__proto__', 'x' ], [ 'constructor', 'y' ]]);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('should reject empty input', () => {
      assertRejected('', 'XML_EMPTY');
      assertRejected(' \n\t ', 'XML_EMPTY');
    });

    it('should reject a billion-laughs payload without expanding it', () => {
      const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><return_code>&lol4;</return_code></xml>`;
      assertRejected(billionLaughs, 'XML_FORBIDDEN');
    });

    it('should reject an external entity (XXE)', () => {
      const xxe = `<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><return_code>&xxe;</return_code></xml>`;
      assertRejected(xxe, 'XML_FORBIDDEN');
    });

    it('should reject DOCTYPE and ENTITY in any case and position', () => {
      assertRejected('<!doctype xml><xml></xml>', 'XML_FORBIDDEN');
      assertRejected('<xml><a><!EnTiTy x "y"></a></xml>', 'XML_FORBIDDEN');
      assertRejected('<xml></xml><!DOCTYPE xml>', 'XML_FORBIDDEN');
    });

    it('should reject processing instructions', () => {
      assertRejected('<?xml-stylesheet href="x.xsl"?><xml></xml>', 'XML_FORBIDDEN');
      assertRejected('<xml><?php echo 1; ?></xml>', 'XML_FORBIDDEN');
      assertRejected('<xml><a><?pi x?></a></xml>', 'XML_FORBIDDEN');
    });

    it('should reject a root other than <xml>', () => {
      assertRejected('<root><a>1</a></root>', 'XML_BAD_ROOT');
      assertRejected('<XML><a>1</a></XML>', 'XML_BAD_ROOT');
      assertRejected('<root/>', 'XML_BAD_ROOT');
    });

    it('should reject two root elements', () => {
      assertRejected('<xml/><xml/>', 'XML_BAD_ROOT');
      assertRejected('<root/><xml></xml>', 'XML_BAD_ROOT');
      // sax already refuses text after the first root closes.
      assertRejected('<xml><a>1</a></xml><xml><a>2</a></xml>', 'XML_MALFORMED');
    });

    it('should reject a nested child', () => {
      assertRejected('<xml><a><b>1</b></a></xml>', 'XML_NOT_FLAT');
      assertRejected('<xml><a>1<b/></a></xml>', 'XML_NOT_FLAT');
    });

    it('should reject text directly under <xml>', () => {
      assertRejected('<xml>SUCCESS</xml>', 'XML_NOT_FLAT');
      assertRejected('<xml><a>1</a>tail</xml>', 'XML_NOT_FLAT');
      assertRejected('<xml><![CDATA[x]]><a>1</a></xml>', 'XML_NOT_FLAT');
    });

    it('should reject duplicate fields', () => {
      assertRejected('<xml><sign>A</sign><sign>B</sign></xml>', 'XML_DUPLICATE_FIELD');
    });

    it('should reject malformed XML', () => {
      assertRejected('<xml><a>1</b></xml>', 'XML_MALFORMED');
      assertRejected('<xml><a>1</a>', 'XML_MALFORMED');
      assertRejected('<xml><xml></xml>', 'XML_MALFORMED');
      assertRejected('<xml><a>1</a></xml', 'XML_MALFORMED');
      assertRejected('<xml><a>&unknown;</a></xml>', 'XML_MALFORMED');
      assertRejected('<xml><a>1 & 2</a></xml>', 'XML_MALFORMED');
      assertRejected('<xml></xml><', 'XML_MALFORMED');
      assertRejected('<xml></xml>trailing', 'XML_MALFORMED');
      assertRejected('return_code=SUCCESS', 'XML_MALFORMED');
      assertRejected('{"return_code":"SUCCESS"}', 'XML_MALFORMED');
    });

    it('should reject non-string input as empty', () => {
      assertRejected(undefined as unknown as string, 'XML_EMPTY');
    });
  });
});
