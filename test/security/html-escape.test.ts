import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, scriptJson } from '../../src/security/html-escape.ts';

const HOSTILE = `</script><script>alert("x")</script><!-- & ' \u2028\u2029`;

test('HTML escaping covers the five characters that can open markup or end an attribute', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&amp;</a>`), '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;amp;&#60;/a&#62;');
});

test('JSON for a script element can neither end the element nor open a comment, and still parses back', () => {
  const text = scriptJson({ value: HOSTILE });
  assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(text), { value: HOSTILE });
});
