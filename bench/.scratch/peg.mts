import { Grammar } from 'sip.js';
import { Parser } from 'sip.js/lib/core/index.js';
for (let k = 0; k < 3; k++) {
  const t = performance.now();
  for (let i = 0; i < 1000; i++) Grammar.parse('sip:conf@lab.local;gruu;opaque=app:conf:focus:id:X', 'SIP_URI');
  console.log('Grammar.parse SIP_URI', ((performance.now() - t) / 1000).toFixed(3), 'ms/call');
}
const raw = 'INVITE sip:conf@lab.local SIP/2.0\r\nVia: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1\r\nFrom: <sip:agent@lab.local>;tag=1\r\nTo: <sip:conf@lab.local>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContact: <sip:a@b.invalid;transport=ws>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n';
const log = { error() {}, warn() {}, log() {}, debug() {} } as never;
for (let k = 0; k < 3; k++) {
  const t = performance.now();
  for (let i = 0; i < 300; i++) { const m = Parser.parseMessage(raw, log); m?.from; m?.to; m?.getHeader('via'); }
  console.log('parseMessage', ((performance.now() - t) / 300).toFixed(3), 'ms/msg');
}
