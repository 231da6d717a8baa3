// A small multipart/form-data parser (RFC 7578) for /upload/image, so the simulator needs no
// extra dependency. It works on the whole buffered body (uploads are capped at 100 MiB anyway).

export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export class MultipartError extends Error {}

/** The boundary parameter of a multipart Content-Type header (quoted or token form). */
export function boundaryOf(contentType: string): string | undefined {
  if (!/^\s*multipart\/form-data\b/i.test(contentType)) return undefined;
  const m = /;\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1]?.replace(/\\(.)/g, '$1') ?? m?.[2];
  return b && b.length <= 200 ? b : undefined;
}

/** Parameters of a Content-Disposition header: quoted strings, tokens, and RFC 5987 `name*=`. */
function dispositionParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(header); m; m = re.exec(header)) {
    const key = m[1]!.toLowerCase();
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '').trim();
    if (key.endsWith('*')) {
      const ext = /^([^']*)'[^']*'(.*)$/.exec(value);
      try {
        out[key.slice(0, -1)] = ext ? decodeURIComponent(ext[2]!) : value;
      } catch {
        out[key.slice(0, -1)] = value;
      }
    } else if (!(key in out)) out[key] = value;
  }
  return out;
}

export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new MultipartError('not multipart/form-data or no boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  // the first delimiter may sit at offset 0 (no leading CRLF); later ones always follow a CRLF
  let pos = body.subarray(0, delimiter.length).equals(delimiter) ? 0 : body.indexOf(Buffer.from(`\r\n--${boundary}`));
  if (pos < 0) throw new MultipartError('no boundary in body');
  if (pos > 0) pos += 2;
  const parts: Part[] = [];
  const next = Buffer.from(`\r\n--${boundary}`);
  for (;;) {
    let cursor = pos + delimiter.length;
    if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) break; // closing `--boundary--`
    while (body[cursor] === 0x20 || body[cursor] === 0x09) cursor++; // transport padding
    if (body[cursor] !== 0x0d || body[cursor + 1] !== 0x0a) throw new MultipartError('malformed delimiter line');
    cursor += 2;
    const headerEnd = body.indexOf('\r\n\r\n', cursor);
    const end = body.indexOf(next, cursor);
    if (end < 0) throw new MultipartError('unterminated part');
    const hasHeaders = headerEnd >= 0 && headerEnd < end;
    const headerText = hasHeaders ? body.subarray(cursor, headerEnd).toString('utf8') : '';
    const dataStart = hasHeaders
      ? headerEnd + 4
      : body.subarray(cursor, cursor + 2).toString() === '\r\n'
        ? cursor + 2
        : cursor;
    const headers = new Map<string, string>();
    for (const line of headerText.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    const disposition = headers.get('content-disposition') ?? '';
    const params = dispositionParams(disposition);
    if (/^\s*form-data\b/i.test(disposition) && params.name !== undefined) {
      const type = headers.get('content-type');
      parts.push({
        name: params.name,
        data: body.subarray(dataStart, end),
        ...(params.filename !== undefined ? { filename: params.filename } : {}),
        ...(type ? { contentType: type } : {}),
      });
    }
    pos = end + 2;
  }
  return parts;
}
