import type { LoraRecord } from '#ports/lora-store.ts';

/** Single-quoted for bash ('…' with every ' closed, escaped and reopened). */
const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Run from the ComfyUI folder: downloads to a .part file, checks the SHA-256 (when the catalog knows it), then
 * moves it into place, so a half download or a wrong file never shows up in LoraLoader's list.
 */
export function loraSetupScript(
  r: Pick<LoraRecord, 'name' | 'file' | 'roleFiles' | 'sha256'> & { sourceUrl: string },
): string {
  const target = `models/loras/${r.file}`;
  const lines = [
    '#!/usr/bin/env bash',
    `# Places the LoRA ${JSON.stringify(r.name)} on a ComfyUI host. Run it from the ComfyUI folder.`,
    'set -euo pipefail',
    `target=${sq(target)}`,
    'mkdir -p "$(dirname "$target")"',
    `curl -fL --retry 3 -o "$target.part" ${sq(r.sourceUrl)}`,
    r.sha256
      ? `echo ${sq(`${r.sha256}  `)}"$target.part" | sha256sum -c -`
      : '# the catalog has no SHA-256 for this file: it is not checked',
    'mv "$target.part" "$target"',
  ];
  const roles = Object.entries(r.roleFiles);
  if (roles.length > 0) {
    lines.push('# this LoRA needs these files too (place them the same way):');
    for (const [role, f] of roles) lines.push(`#   ${role}: models/loras/${f}`);
  }
  lines.push('echo "placed $target; run a health check of the account so the gateway sees it"', '');
  return lines.join('\n');
}
