/** Bytes (Blob, ArrayBuffer, Uint8Array) as plain base64, in Node and browsers. */
export async function toBase64(v: Blob | ArrayBuffer | Uint8Array): Promise<string> {
  const bytes =
    v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(await v.arrayBuffer());
  const nodeBuffer = (globalThis as { Buffer?: { from(b: Uint8Array): { toString(enc: 'base64'): string } } }).Buffer;
  if (nodeBuffer) return nodeBuffer.from(bytes).toString('base64');
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
