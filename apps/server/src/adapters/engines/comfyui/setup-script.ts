// Pure: renders the bash script an operator runs on a ComfyUI host to install what the models need —
// custom-node packs at their pinned commits (or MediaGen's bundled pack, written from its sources),
// model files into models/<folder>/ with size and SHA-256 checks where published. Safe to re-run;
// refuses to run outside a ComfyUI folder.
import type { ModelFileRequirement, PackRequirement } from '#ports/engine.ts';

export interface SetupPack extends PackRequirement {
  /** pip requirements file inside the pack */
  requirements?: string;
  /** a bundled pack's files, written by the script */
  files?: Array<{ path: string; content: string }>;
}

export interface SetupFile extends ModelFileRequirement {
  auth?: 'huggingface' | 'civitai';
}

export interface SetupScriptInput {
  models: readonly string[];
  packs: SetupPack[];
  files: SetupFile[];
  comfyui?: { version: string; launchArgs: readonly string[] };
}

/** Single-quoted for bash (the manifest's schema already keeps quotes and `$` out of names). */
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const HEREDOC = 'MEDIAGEN_FILE_END';

const PRELUDE = String.raw`set -euo pipefail

if [ ! -f main.py ] || [ ! -d comfy ] || [ ! -d custom_nodes ] || [ ! -d models ]; then
  echo "Run this script from the ComfyUI folder (main.py, comfy/, custom_nodes/ and models/ are not in $(pwd))." >&2
  exit 1
fi
PYTHON="${'$'}{PYTHON:-python3}"
for tool in git curl sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is needed" >&2; exit 1; }
done
failures=0

# install_pack NAME REPOSITORY COMMIT [REQUIREMENTS]: clone into custom_nodes/NAME, check out COMMIT
install_pack() {
  local name="$1" repo="$2" commit="$3" req="${'$'}{4:-}" dir="custom_nodes/$1"
  if [ ! -d "$dir/.git" ]; then
    if [ -e "$dir" ]; then
      echo "custom_nodes/$name exists but is not a git checkout: move it away and re-run" >&2
      failures=$((failures + 1)); return 0
    fi
    git clone --quiet "$repo" "$dir"
  fi
  if [ "$(git -C "$dir" rev-parse HEAD)" != "$commit" ]; then
    git -C "$dir" cat-file -e "$commit^{commit}" 2>/dev/null || git -C "$dir" fetch --quiet origin
    git -C "$dir" checkout --quiet "$commit"
  fi
  if [ -n "$req" ] && [ -f "$dir/$req" ]; then "$PYTHON" -m pip install --quiet -r "$dir/$req"; fi
  echo "pack $name at $commit"
}

# file_ok PATH SHA256|- BYTES|-: the file is there and matches what is published
file_ok() {
  local path="$1" sha="$2" bytes="$3"
  [ -f "$path" ] || return 1
  if [ "$bytes" != "-" ] && [ "$(stat -c %s "$path")" != "$bytes" ]; then return 1; fi
  if [ "$sha" != "-" ]; then echo "$sha  $path" | sha256sum --check --status || return 1; fi
  return 0
}

# fetch_model FOLDER FILE URL SHA256|- BYTES|- AUTH|-: download into models/FOLDER/FILE unless it is already good
fetch_model() {
  local folder="$1" file="$2" url="$3" sha="$4" bytes="$5" auth="$6" path="models/$1/$2"
  mkdir -p "models/$folder"
  if file_ok "$path" "$sha" "$bytes"; then echo "ok: $path"; return 0; fi
  local auth_header=()
  case "$auth" in
    huggingface) [ -n "${'$'}{HF_TOKEN:-}" ] && auth_header=(-H "Authorization: Bearer $HF_TOKEN") || echo "note: $file may need HF_TOKEN (gated on Hugging Face)" >&2 ;;
    civitai) [ -n "${'$'}{CIVITAI_TOKEN:-}" ] && auth_header=(-H "Authorization: Bearer $CIVITAI_TOKEN") || echo "note: $file may need CIVITAI_TOKEN" >&2 ;;
  esac
  echo "downloading $path"
  if ! curl -fL --retry 3 -C - ${'$'}{auth_header[@]+"${'$'}{auth_header[@]}"} -o "$path.part" "$url"; then
    echo "download failed: $url" >&2; failures=$((failures + 1)); return 0
  fi
  mv "$path.part" "$path"
  if file_ok "$path" "$sha" "$bytes"; then
    [ "$sha" = "-" ] && echo "ok: $path (no published SHA-256 to check)" || echo "ok: $path (SHA-256 checked)"
  else
    echo "checksum or size mismatch: $path (moved to $path.bad)" >&2
    mv "$path" "$path.bad"; failures=$((failures + 1))
  fi
}

# need_file FOLDER FILE: a file with no known source; the operator places it
need_file() {
  if [ -f "models/$1/$2" ]; then echo "ok: models/$1/$2"; else
    echo "missing: models/$1/$2 (no download source is known: place it there yourself)" >&2; failures=$((failures + 1)); fi
}
`;

function packLines(p: SetupPack): string[] {
  if (p.files && p.files.length > 0) {
    const dir = `custom_nodes/${p.name}`;
    const out = [`# ${p.name}: bundled with MediaGen (${p.nodes.join(', ')})`, `mkdir -p ${q(dir)}`];
    for (const f of p.files) {
      if (f.content.split('\n').includes(HEREDOC)) throw new Error(`${f.path} contains the here-document delimiter`);
      out.push(`cat > ${q(`${dir}/${f.path}`)} <<'${HEREDOC}'`, f.content.replace(/\n?$/, ''), HEREDOC);
    }
    out.push(`echo "pack ${p.name} (bundled) written"`);
    return out;
  }
  if (!p.repository || !p.commit)
    return [`echo "pack ${p.name}: no repository is known; install it yourself" >&2`, 'failures=$((failures + 1))'];
  return [
    `# ${p.name}: ${p.nodes.join(', ')}`,
    `install_pack ${q(p.name)} ${q(p.repository)} ${q(p.commit)}${p.requirements ? ` ${q(p.requirements)}` : ''}`,
  ];
}

function fileLines(f: SetupFile): string[] {
  if (!f.url) return [`need_file ${q(f.folder)} ${q(f.file)}`];
  return [
    `# ${f.file}${f.size ? `, ${f.size}` : ''}${f.source ? ` — ${f.source}` : ''}`,
    `fetch_model ${q(f.folder)} ${q(f.file)} ${q(f.url)} ${f.sha256 ?? '-'} ${f.bytes ?? '-'} ${f.auth ?? '-'}`,
  ];
}

export function renderSetupScript(input: SetupScriptInput): string {
  const launch = input.comfyui?.launchArgs.length ? ` ${input.comfyui.launchArgs.join(' ')}` : '';
  const lines = [
    '#!/usr/bin/env bash',
    `# MediaGen: prepares this ComfyUI host for ${input.models.length > 0 ? input.models.join(', ') : 'no models'}.`,
    '# Run it from the ComfyUI folder. It is safe to run again: what is already in place is kept.',
    '# Downloads that need a token read HF_TOKEN (gated Hugging Face files) or CIVITAI_TOKEN (Civitai).',
    ...(input.comfyui ? [`# The workflows were validated against ComfyUI ${input.comfyui.version}.`] : []),
    PRELUDE,
  ];
  if (input.packs.length === 0 && input.files.length === 0) lines.push('echo "nothing to install"');
  if (input.packs.length > 0) lines.push('# Custom-node packs', ...input.packs.flatMap(packLines), '');
  if (input.files.length > 0) lines.push('# Model files', ...input.files.flatMap(fileLines), '');
  lines.push(
    'if [ "$failures" -gt 0 ]; then echo "$failures item(s) need attention (see above)" >&2; exit 1; fi',
    `echo "done: restart ComfyUI (e.g. $PYTHON main.py${launch}) and run the account's health check again"`,
  );
  return `${lines.join('\n')}\n`;
}
