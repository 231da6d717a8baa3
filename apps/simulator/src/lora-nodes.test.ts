import { describe, expect, it } from 'vitest';
import { planPrompt } from './graph-analysis.ts';
import { validateGraph, type Graph } from './graph-validation.ts';
import { listModelFolder, loadCatalog, loadModelFiles } from './node-catalog.ts';
import { entriesForPort } from './simulator.ts';
import { simulatorConfig } from './sim-config.ts';
import { imageGraph } from '../test/sim-test-client.ts';

const listed = loadModelFiles();
const models = { ...listed, loras: ['style.safetensors', 'sub/detail.safetensors'] };
const catalog = loadCatalog(models);

/** The test graph with LoRA nodes between the checkpoint and its consumers, as the gateway's binder inserts them. */
function withLoras(loras: Array<{ file: string; strength: number; clip?: number }>): Graph {
  const g = imageGraph() as Graph;
  let model: [string, number] = ['4', 0];
  let clip: [string, number] = ['4', 1];
  loras.forEach((l, i) => {
    const id = String(20 + i);
    g[id] = {
      class_type: 'LoraLoader',
      inputs: { model, clip, lora_name: l.file, strength_model: l.strength, strength_clip: l.clip ?? l.strength },
    };
    model = [id, 0];
    clip = [id, 1];
  });
  g['3']!.inputs.model = model;
  g['6']!.inputs.clip = clip;
  g['7']!.inputs.clip = clip;
  return g;
}

const salt = (g: Graph): string => planPrompt(g, ['9'], catalog, () => undefined).outputs.get('9')!.salt;

describe('LoRAs in the simulator', () => {
  it('lists the configured files as the options of both LoRA loaders and under /models/loras', () => {
    for (const node of ['LoraLoader', 'LoraLoaderModelOnly'])
      expect(catalog[node]!.input.required!.lora_name![0]).toEqual(['style.safetensors', 'sub/detail.safetensors']);
    expect(listModelFolder(models, catalog, 'loras')).toEqual(['style.safetensors', 'sub/detail.safetensors']);
  });

  it('--loras / SIM_LORAS: per-port entries', () => {
    const o = simulatorConfig({ SIM_LORAS: 'a.safetensors' }, ['--loras', 'a.safetensors,8189:b.safetensors']);
    expect(o.loras).toEqual(['a.safetensors', '8189:b.safetensors']);
    expect(entriesForPort(o.loras ?? [], 8189)).toEqual(['a.safetensors', 'b.safetensors']);
    expect(entriesForPort(o.loras ?? [], 8188)).toEqual(['a.safetensors']);
  });

  it('validates LoRA nodes against the real definitions: file in the list, strength in range, typed links', () => {
    const ok = validateGraph(withLoras([{ file: 'style.safetensors', strength: 0.8 }]), catalog);
    expect(ok).toMatchObject({ ok: true });
    const missing = validateGraph(withLoras([{ file: 'absent.safetensors', strength: 1 }]), catalog);
    expect(missing.ok).toBe(false);
    expect(missing.node_errors['20']?.errors.map((e) => e.type)).toEqual(['value_not_in_list']);
    const strong = validateGraph(withLoras([{ file: 'style.safetensors', strength: 101, clip: 1 }]), catalog);
    expect(strong.node_errors['20']?.errors.map((e) => [e.type, e.extra_info.input_name])).toEqual([
      ['value_bigger_than_max', 'strength_model'],
    ]);
    const miswired = withLoras([{ file: 'style.safetensors', strength: 1 }]);
    miswired['20']!.inputs.clip = ['4', 2]; // a VAE where CLIP belongs
    expect(validateGraph(miswired, catalog).node_errors['20']?.errors.map((e) => e.type)).toEqual([
      'return_type_mismatch',
    ]);
  });

  it('the picture changes with the LoRA set and with a LoRA strength', () => {
    const none = salt(imageGraph());
    const one = salt(withLoras([{ file: 'style.safetensors', strength: 1 }]));
    const weaker = salt(withLoras([{ file: 'style.safetensors', strength: 0.5 }]));
    const two = salt(
      withLoras([
        { file: 'style.safetensors', strength: 1 },
        { file: 'sub/detail.safetensors', strength: 1 },
      ]),
    );
    expect(new Set([none, one, weaker, two]).size).toBe(4);
  });
});
