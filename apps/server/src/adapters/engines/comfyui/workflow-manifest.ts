// The workflows' manifest (apps/server/workflows/manifest.json): what a ComfyUI host needs for the
// templates — the ComfyUI version they were validated against, custom-node packs pinned to a commit
// (or bundled with MediaGen), and the model files with their size, checksum and download source.
// Health checks name missing items from it; the setup script installs them.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';

const zPack = z
  .object({
    /** git repository of the pack */
    repository: z.url().optional(),
    /** the commit the templates were validated against (40 hex) */
    commit: z
      .string()
      .regex(/^[0-9a-f]{40}$/)
      .optional(),
    /** a pack that ships with MediaGen: its folder, relative to the workflows directory */
    bundled: z.string().min(1).optional(),
    /** node classes the templates use from it */
    nodes: z.array(z.string().min(1)).min(1),
    /** pip requirements file inside the pack, installed by the setup script */
    requirements: z.string().min(1).optional(),
    notes: z.string().optional(),
  })
  .strict()
  .refine(
    (p) => (p.bundled !== undefined) !== (p.repository !== undefined && p.commit !== undefined),
    'a pack is either bundled or a repository with a pinned commit',
  );

const zModelFile = z
  .object({
    /** ComfyUI models/ folder */
    folder: z.string().regex(/^[a-z0-9_]+$/),
    file: z
      .string()
      .min(1)
      .refine((f) => !f.includes('..') && !f.startsWith('/') && !/["'$`\\\n]/.test(f), 'a plain relative file name'),
    /** as the publisher shows it, e.g. "12.7 GB" */
    size: z.string().min(1),
    /** exact size in bytes, where published */
    bytes: z.number().int().positive().optional(),
    /** SHA-256, where the publisher shows it */
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    url: z.url(),
    /** who publishes it and where, in words */
    source: z.string().min(1),
    /** the download needs a token: HF_TOKEN (huggingface) or CIVITAI_TOKEN (civitai) */
    auth: z.enum(['huggingface', 'civitai']).optional(),
  })
  .strict();

export const zWorkflowManifest = z
  .object({
    comfyui: z
      .object({
        version: z.string().min(1),
        repository: z.url(),
        commit: z.string().regex(/^[0-9a-f]{40}$/),
        launchArgs: z.array(z.string()).default([]),
        notes: z.string().optional(),
      })
      .strict()
      .optional(),
    packs: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), zPack).default({}),
    files: z.array(zModelFile).default([]),
  })
  .strict();

export type WorkflowManifest = z.infer<typeof zWorkflowManifest>;
export type ManifestPack = z.infer<typeof zPack>;
export type ManifestFile = z.infer<typeof zModelFile>;

export class ManifestError extends Error {}

/** The manifest of a workflows directory; a directory without one has an empty manifest. */
export function loadManifest(dir: string): WorkflowManifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) return zWorkflowManifest.parse({});
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ManifestError(`${MANIFEST_FILE} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = zWorkflowManifest.safeParse(raw);
  if (!parsed.success)
    throw new ManifestError(
      `${MANIFEST_FILE} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  const seen = new Set<string>();
  for (const f of parsed.data.files) {
    const key = `${f.folder}/${f.file}`;
    if (seen.has(key)) throw new ManifestError(`${MANIFEST_FILE} lists ${key} twice`);
    seen.add(key);
  }
  for (const [name, p] of Object.entries(parsed.data.packs)) {
    if (p.bundled && !fs.existsSync(path.join(dir, p.bundled)))
      throw new ManifestError(`${MANIFEST_FILE}: pack ${name} is bundled in ${p.bundled}, which does not exist`);
  }
  return parsed.data;
}

export function manifestFile(m: WorkflowManifest, folder: string, file: string): ManifestFile | undefined {
  return m.files.find((f) => f.folder === folder && f.file === file);
}

/** The pack that provides a node class, by the manifest's node lists. */
export function packOfNode(m: WorkflowManifest, nodeClass: string): { name: string; pack: ManifestPack } | undefined {
  for (const [name, pack] of Object.entries(m.packs)) if (pack.nodes.includes(nodeClass)) return { name, pack };
  return undefined;
}

/** The files of a bundled pack (Python sources, not its tests), for the setup script to write. */
export function bundledPackFiles(dir: string, pack: ManifestPack): Array<{ path: string; content: string }> {
  if (!pack.bundled) return [];
  const root = path.join(dir, pack.bundled);
  return fs
    .readdirSync(root)
    .filter((f) => f.endsWith('.py') && !f.startsWith('test_'))
    .sort()
    .map((f) => ({ path: f, content: fs.readFileSync(path.join(root, f), 'utf8') }));
}
