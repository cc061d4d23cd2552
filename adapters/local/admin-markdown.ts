/**
 * Markdown to HTML for the admin page, for the subset Parley's reports use: `#` headings,
 * paragraphs, `**bold**`, `` `code` ``, numbered lists and GFM tables (with `\|` inside cells).
 * Everything is HTML-escaped first, so a customer's text quoted in a report stays text; there is
 * no raw HTML, no links and no images in the output.
 */

export function markdownToHtml(markdown: string): string {
  const blocks = markdown.replace(/\r\n?/g, '\n').split(/\n{2,}/);
  return blocks
    .map((block) => block.trim())
    .filter((block) => block.length > 0)
    .map(renderBlock)
    .join('\n');
}

function renderBlock(block: string): string {
  const lines = block.split('\n');
  const heading = /^(#{1,4}) (.*)$/.exec(lines[0]);
  if (heading && lines.length === 1) {
    const level = heading[1].length;
    return `<h${level}>${inline(heading[2])}</h${level}>`;
  }
  if (lines.every((line) => line.startsWith('|'))) return table(lines);
  if (lines.every((line) => /^\d+\. /.test(line))) {
    const items = lines.map((line) => `<li>${inline(line.replace(/^\d+\. /, ''))}</li>`);
    return `<ol>${items.join('')}</ol>`;
  }
  // A table may follow a caption line ("Fixed (first 5 of 6):") in the same block.
  const tableStart = lines.findIndex((line) => line.startsWith('|'));
  if (tableStart > 0 && lines.slice(tableStart).every((line) => line.startsWith('|'))) {
    return `${paragraph(lines.slice(0, tableStart))}\n${table(lines.slice(tableStart))}`;
  }
  return paragraph(lines);
}

function paragraph(lines: string[]): string {
  return `<p>${lines.map(inline).join('<br>')}</p>`;
}

function table(lines: string[]): string {
  const rows = lines.map(cells);
  const [header, align, ...body] = rows;
  const alignments = (align ?? []).map((cell) => (cell.trim().endsWith(':') ? 'right' : 'left'));
  const cell = (tag: string, text: string, i: number) =>
    `<${tag} class="${alignments[i] ?? 'left'}">${inline(text.trim())}</${tag}>`;
  const head = `<tr>${header.map((text, i) => cell('th', text, i)).join('')}</tr>`;
  const rest = body.map((row) => `<tr>${row.map((text, i) => cell('td', text, i)).join('')}</tr>`);
  return `<table><thead>${head}</thead><tbody>${rest.join('')}</tbody></table>`;
}

/** The cells of `| a | b \| c |`; an escaped pipe stays in its cell. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.replace(/\\\|/g, '|'));
}

/** Escapes, then code spans (their content untouched), then bold outside them. */
function inline(text: string): string {
  return escapeHtml(text)
    .split(/(`[^`]*`)/)
    .map((part) =>
      part.startsWith('`') && part.endsWith('`') && part.length >= 2
        ? `<code>${part.slice(1, -1)}</code>`
        : part.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>'),
    )
    .join('');
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
