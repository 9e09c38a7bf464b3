// The edits scripts/patch-sipjs.mjs makes to sip.js 0.21.2 (why each: that script's header),
// as data, so that bench/support/pristine-sipjs.ts reverses exactly these when it needs an
// unpatched copy. Each edit is [anchor, replacement]; `mark` is in a patched file only.

/** The sip.js version these anchors were written against. */
export const SIPJS_VERSION = '0.21.2';

export const GRAMMAR_MARK = 'peg$bytecodeCache';
export const HEADERIZE_MARK = 'headerizeCache';
export const EARLY_ACK_MARK = 'switchboard: an ACK in an early dialog';
/** Per file: the mark of a patched file, what the install says, and the edits in order. */
export const PATCHES = [
  {
    file: 'lib/grammar/pegjs/dist/grammar.js',
    mark: GRAMMAR_MARK,
    done: 'parser bytecode is now built once per process',
    edits: [
      ['function peg$parse(input, options) {', `let ${GRAMMAR_MARK};\nfunction peg$parse(input, options) {`],
      ['    const peg$bytecode = [\n', `    const peg$bytecode = ${GRAMMAR_MARK} ?? (${GRAMMAR_MARK} = [\n`],
      ['\n    ];\n    let peg$currPos = 0;', '\n    ]);\n    let peg$currPos = 0;'],
    ],
  },
  {
    file: 'lib/core/messages/utils.js',
    mark: HEADERIZE_MARK,
    done: 'header names are now headerized once per name',
    edits: [
      [
        'export function headerize(str) {\n',
        `const ${HEADERIZE_MARK} = new Map();\n` +
          'export function headerize(str) {\n' +
          `    const cached = ${HEADERIZE_MARK}.get(str);\n` +
          '    if (cached !== undefined) {\n' +
          '        return cached;\n' +
          '    }\n' +
          '    const hname = headerizeOnce(str);\n' +
          `    if (typeof str === "string" && str.length <= 64 && ${HEADERIZE_MARK}.size < 512) {\n` +
          `        ${HEADERIZE_MARK}.set(str, hname);\n` +
          '    }\n' +
          '    return hname;\n' +
          '}\n' +
          'function headerizeOnce(str) {\n',
      ],
    ],
  },
  {
    file: 'lib/core/dialogs/session-dialog.js',
    mark: EARLY_ACK_MARK,
    done: 'an ACK before our 2xx no longer stops its retransmissions',
    edits: [['        if (message.method === C.ACK) {\n            // If ackWait is true, then this is the ACK to the initial INVITE,\n', '        if (message.method === C.ACK) {\n            // ' + EARLY_ACK_MARK + ' acknowledges no 2xx yet: dropped, or the 2xx\n            // retransmissions (RFC 3261 13.3.1.4) would stop before the 2xx is even sent.\n            if (this.early) {\n                this.logger.warn(`INVITE dialog ${this.id} received ACK before its 2xx, dropping.`);\n                return;\n            }\n            // If ackWait is true, then this is the ACK to the initial INVITE,\n']],
  },
];

