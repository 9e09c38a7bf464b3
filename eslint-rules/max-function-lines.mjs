// A function longer than `max` lines is hard to read in one screen (README "How we write
// code"). Lines inside template literals do not count: a SIP message, an SDP body or an HTML
// page written out as a template reads as data, not as logic.

/** Lines that a template literal spans inside [start, end], its first line excluded. */
function templateLines(templates, start, end) {
  let lines = 0;
  for (const t of templates) {
    if (t.start >= start && t.end <= end) {
      lines += t.end - t.start;
    }
  }
  return lines;
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'suggestion',
    docs: { description: 'limit the lines of a function, template literals excepted' },
    schema: [{ type: 'object', properties: { max: { type: 'integer', minimum: 1 } }, additionalProperties: false }],
    messages: { tooLong: '{{name}} has {{lines}} lines (max {{max}}, template literals excepted): split it by job' },
  },
  create(context) {
    const max = context.options[0]?.max ?? 80;
    const templates = [];
    const functions = [];
    const record = (node) => functions.push(node);
    return {
      TemplateLiteral(node) {
        templates.push({ start: node.loc.start.line, end: node.loc.end.line });
      },
      FunctionDeclaration: record,
      FunctionExpression: record,
      ArrowFunctionExpression: record,
      'Program:exit'() {
        for (const node of functions) {
          const start = node.loc.start.line;
          const end = node.loc.end.line;
          const lines = end - start + 1 - templateLines(templates, start, end);
          if (lines > max) {
            const id = node.id ?? node.parent?.key ?? node.parent?.id;
            const name = id?.name ? `'${id.name}'` : 'this function';
            context.report({ node, messageId: 'tooLong', data: { name, lines: String(lines), max: String(max) } });
          }
        }
      },
    };
  },
};
