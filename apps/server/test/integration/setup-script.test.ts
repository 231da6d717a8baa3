// The setup script really runs: in a folder laid out like ComfyUI, against a local git repository and
// file:// downloads (bash, git, curl and sha256sum from the host), twice (idempotent), and refuses to
// run anywhere else.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setupScriptFor } from '../../src/adapters/engines/comfyui/setup-plan.ts';
import { renderSetupScript, type SetupScriptInput } from '../../src/adapters/engines/comfyui/setup-script.ts';
import { loadTemplates } from '../../src/adapters/engines/comfyui/workflow-templates.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-script-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  })
    .toString()
    .trim();
}

function run(script: string, cwd: string): { code: number | null; out: string } {
  const file = path.join(root, `setup-${crypto.randomUUID()}.sh`);
  fs.writeFileSync(file, script);
  const r = spawnSync('bash', [file], { cwd, encoding: 'utf8', env: { ...process.env, PYTHON: 'true' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('setup script on a ComfyUI host', () => {
  it('installs packs at their commit, bundled files and checked downloads; re-runs cleanly; refuses elsewhere', () => {
    // a pack repository with two commits: the script must check out the pinned (first) one
    const repo = path.join(root, 'pack-src');
    fs.mkdirSync(repo);
    git(repo, 'init', '--quiet', '--initial-branch=main');
    fs.writeFileSync(path.join(repo, '__init__.py'), 'VERSION = 1\n');
    fs.writeFileSync(path.join(repo, 'requirements.txt'), 'nothing\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'one');
    const pinned = git(repo, 'rev-parse', 'HEAD');
    fs.writeFileSync(path.join(repo, '__init__.py'), 'VERSION = 2\n');
    git(repo, 'commit', '--quiet', '-am', 'two');

    const published = path.join(root, 'published');
    fs.mkdirSync(published);
    const weights = Buffer.from('pretend weights');
    fs.writeFileSync(path.join(published, 'model.safetensors'), weights);
    const sha = crypto.createHash('sha256').update(weights).digest('hex');

    const comfy = path.join(root, 'ComfyUI');
    for (const d of ['comfy', 'custom_nodes', 'models']) fs.mkdirSync(path.join(comfy, d), { recursive: true });
    fs.writeFileSync(path.join(comfy, 'main.py'), '');

    const input: SetupScriptInput = {
      models: ['test'],
      packs: [
        { name: 'SomePack', repository: repo, commit: pinned, nodes: ['SomeNode'], requirements: 'requirements.txt' },
        {
          name: 'own_nodes',
          bundled: true,
          nodes: ['OwnNode'],
          files: [{ path: '__init__.py', content: "NODE = 'own'\n" }],
        },
      ],
      files: [
        {
          folder: 'checkpoints',
          file: 'model.safetensors',
          url: `file://${published}/model.safetensors`,
          sha256: sha,
          bytes: weights.length,
          size: '15 B',
        },
      ],
      comfyui: { version: '0.3.64', launchArgs: ['--preview-method', 'auto'] },
    };
    const script = renderSetupScript(input);

    const elsewhere = run(script, root);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.out).toMatch(/Run this script from the ComfyUI folder/);

    const first = run(script, comfy);
    expect(first.code, first.out).toBe(0);
    expect(fs.readFileSync(path.join(comfy, 'custom_nodes/SomePack/__init__.py'), 'utf8')).toBe('VERSION = 1\n');
    expect(fs.readFileSync(path.join(comfy, 'custom_nodes/own_nodes/__init__.py'), 'utf8')).toBe("NODE = 'own'\n");
    expect(fs.readFileSync(path.join(comfy, 'models/checkpoints/model.safetensors'))).toEqual(weights);
    expect(first.out).toContain('(SHA-256 checked)');

    const again = run(script, comfy);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('ok: models/checkpoints/model.safetensors');

    // a download that does not match its published checksum is set aside and fails the run
    const bad = renderSetupScript({
      ...input,
      files: [
        {
          ...input.files[0]!,
          file: 'other.safetensors',
          url: `file://${published}/model.safetensors`,
          sha256: '0'.repeat(64),
        },
      ],
    });
    const mismatch = run(bad, comfy);
    expect(mismatch.code).toBe(1);
    expect(mismatch.out).toMatch(/checksum or size mismatch: models\/checkpoints\/other\.safetensors/);
    expect(fs.existsSync(path.join(comfy, 'models/checkpoints/other.safetensors.bad'))).toBe(true);
  }, 60_000);

  it('the script for every shipped model is valid bash', () => {
    const file = path.join(root, 'all.sh');
    fs.writeFileSync(file, setupScriptFor(loadTemplates(), { models: ['anisora', 'phr00t', 'pony', 'flux'] }));
    const r = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });
});
