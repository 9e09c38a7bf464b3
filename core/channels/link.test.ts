import { describe, expect, it } from 'vitest';
import { checkLink } from './link';

describe('checkLink', () => {
  it.each([
    'https://crm.example.org/t/4711',
    'https://crm.example.org',
    'https://crm.example.org/',
    'HTTPS://CRM.example.org/install',
    'https://crm.example.org:8443/t?id=4711&x=a%20b#top',
    'https://10.0.0.7/app',
    'https://[2001:db8::1]:443/app',
    "https://x.example/a/b;c=d/e~f_g-h.i!$&'()*+,=:@/?q=/?",
    'https://xn--bcher-kva.example/',
  ])('accepts %s', (link) => {
    expect(checkLink(link)).toBe(link);
  });

  it('trims XML white space around, as the UCMA-CCC sample needs', () => {
    expect(checkLink('  https://crm.example.org/t/4711 \n')).toBe('https://crm.example.org/t/4711');
  });

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['javascript: disguised by case and white space', ' JavaScript:alert(1)'],
    ['javascript: with slashes', 'javascript://crm.example.org/%0aalert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['file:', 'file:///C:/Windows/System32/calc.exe'],
    ['plain http (decision: https only)', 'http://crm.example.org/t/4711'],
    ['ftp:', 'ftp://crm.example.org/setup.exe'],
    ['a UNC path', '\\\\server\\share\\setup.exe'],
    ['a relative reference', '/t/4711'],
    ['scheme-relative', '//crm.example.org/t'],
    ['no host', 'https:///t/4711'],
    ['no slashes', 'https:crm.example.org'],
    ['user information (host spoofing)', 'https://crm.example.org@evil.example/'],
    ['user and password', 'https://user:pw@crm.example.org/'],
    ['inner white space', 'https://crm.example.org/a b'],
    ['a quote', 'https://crm.example.org/"onmouseover="x'],
    ['angle brackets', 'https://crm.example.org/<script>'],
    ['a backslash', 'https://crm.example.org\\@evil.example/'],
    ['a non-ASCII host', 'https://bücher.example/'],
    ['a bad percent escape', 'https://crm.example.org/%zz'],
    ['an empty label', 'https://crm..example.org/'],
    ['a long port', 'https://crm.example.org:123456/'],
    ['a control character', 'https://crm.example.org/\u0007'],
    ['two fragments', 'https://crm.example.org/#a#b'],
    ['empty', ''],
  ])('refuses %s', (_label, link) => {
    expect(checkLink(link)).toBeUndefined();
  });
});
