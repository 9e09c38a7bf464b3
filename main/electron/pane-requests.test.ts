import { describe, expect, it } from 'vitest';
import { paneRequestVerdict, type PaneRequestScope } from './pane-requests';

const packaged: PaneRequestScope = { scheme: 'switchboard-pane', host: '8b1d6e2a-3c4f-4a7b-9e0d-5f6a7b8c9d01', entry: 'index.html' };
const remote: PaneRequestScope = { ...packaged, entry: 'https://crm.example.org/switchboard/pane.html' };
const allowed = (url: string, scope = packaged): boolean => paneRequestVerdict(url, scope).allow;

describe('paneRequestVerdict', () => {
  it("lets a pane load its own package's files, whatever the case of the GUID", () => {
    expect(allowed('switchboard-pane://8b1d6e2a-3c4f-4a7b-9e0d-5f6a7b8c9d01/index.html')).toBe(true);
    expect(allowed('switchboard-pane://8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01/js/app.js')).toBe(true);
  });

  it("refuses another extension's files", () => {
    expect(paneRequestVerdict('switchboard-pane://6f2c4b1e-3a5d-4e7f-8b9c-0d1e2f3a4b5c/index.html', packaged)).toEqual({ allow: false, reason: 'files of another extension' });
  });

  it('lets the local schemes through: data, blob and the DevTools front end', () => {
    expect(allowed('data:image/png;base64,iVBORw0KGgo=')).toBe(true);
    expect(allowed('blob:switchboard-pane://8b1d6e2a-3c4f-4a7b-9e0d-5f6a7b8c9d01/5e0c1f7a-0000-4000-8000-000000000000')).toBe(true);
    expect(allowed('devtools://devtools/bundled/devtools_app.html')).toBe(true);
  });

  it('refuses every network scheme for a packaged pane', () => {
    for (const url of ['https://evil.example.org/x?d=1', 'http://127.0.0.1:8080/', 'wss://evil.example.org/', 'ws://127.0.0.1/', 'ftp://example.org/', 'file:///etc/passwd', 'chrome://settings/']) {
      const verdict = paneRequestVerdict(url, packaged);
      expect(verdict.allow, url).toBe(false);
      expect(verdict).toMatchObject({ reason: expect.stringContaining(new URL(url).protocol) as unknown });
    }
  });

  it("lets a remote (https) entry load from its own origin only", () => {
    expect(allowed('https://crm.example.org/switchboard/app.js', remote)).toBe(true);
    expect(allowed('https://crm.example.org/api/customer?id=1', remote)).toBe(true);
    expect(allowed('https://crm.example.org:8443/app.js', remote)).toBe(false);
    expect(allowed('http://crm.example.org/app.js', remote)).toBe(false);
    expect(allowed('https://evil.example.org/app.js', remote)).toBe(false);
    expect(allowed('https://crm.example.org.evil.example/app.js', remote)).toBe(false);
    expect(allowed('wss://crm.example.org/socket', remote)).toBe(false);
  });

  it('refuses what it cannot parse', () => {
    expect(paneRequestVerdict('not a url', packaged)).toEqual({ allow: false, reason: 'not a URL' });
    expect(allowed('', packaged)).toBe(false);
  });

  it('does not take a malformed remote entry as an origin', () => {
    expect(allowed('https://crm.example.org/app.js', { ...packaged, entry: 'https://' })).toBe(false);
  });
});
