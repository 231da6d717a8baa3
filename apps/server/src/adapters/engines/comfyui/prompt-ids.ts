import crypto from 'node:crypto';

/** Prompt i > 0 of a batch gets an id derived from the first, so a re-attach can find every run. */
export function derivePromptId(first: string, index: number): string {
  if (index === 0) return first;
  const h = crypto.createHash('sha256').update(`${first}#${index}`).digest();
  h.writeUInt8((h.readUInt8(6) & 0x0f) | 0x40, 6); // canonical v4 shape: newer ComfyUI insists on UUIDs (§8)
  h.writeUInt8((h.readUInt8(8) & 0x3f) | 0x80, 8);
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
