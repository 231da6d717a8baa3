// Pure: inserts a request's LoRAs into a bound graph where the template's `loras` block says (one chain per
// model the graph loads), with fresh node ids; the template stays data, the engine has no per-model code.
import type { ResolvedLora } from '@mediagen/contract';
import type { ApiGraph, LoraChain } from './workflow-templates.ts';

type Link = [string, number];

const isLinkTo = (v: unknown, to: Link): boolean =>
  Array.isArray(v) && v.length === 2 && v[0] === to[0] && v[1] === to[1];

/** The first numeric id above every numeric id of the graph (ComfyUI ids are strings; templates use numbers). */
function nextId(graph: ApiGraph): number {
  return Object.keys(graph).reduce((max, id) => (/^\d+$/.test(id) ? Math.max(max, Number(id)) : max), 0) + 1;
}

/** The file a chain loads for a LoRA: its role file when the chain has a role the LoRA names, else its file. */
export function chainFile(lora: Pick<ResolvedLora, 'file' | 'role_files'>, chain: Pick<LoraChain, 'role'>): string {
  return (chain.role !== undefined ? lora.role_files?.[chain.role] : undefined) ?? lora.file;
}

/**
 * Adds one LoRA node per LoRA and chain, in request order (the first LoRA next to the loader), and rewires every
 * consumer of a chain's source outputs to the chain's end. Mutates `graph` (a copy the binder made).
 */
export function insertLoraChains(graph: ApiGraph, chains: readonly LoraChain[], loras: readonly ResolvedLora[]): void {
  if (loras.length === 0) return;
  let id = nextId(graph);
  for (const chain of chains) {
    const added = new Set<string>();
    let model: Link = chain.model;
    let clip: Link | undefined = chain.clip;
    for (const lora of loras) {
      const node = String(id++);
      const file = chainFile(lora, chain);
      const title = { title: `LoRA ${lora.name}${chain.role ? ` (${chain.role})` : ''}` };
      graph[node] = clip
        ? {
            class_type: 'LoraLoader',
            inputs: {
              model,
              clip,
              lora_name: file,
              strength_model: lora.strength,
              strength_clip: lora.strength_clip ?? lora.strength,
            },
            _meta: title,
          }
        : {
            class_type: 'LoraLoaderModelOnly',
            inputs: { model, lora_name: file, strength_model: lora.strength },
            _meta: title,
          };
      added.add(node);
      model = [node, 0];
      if (clip) clip = [node, 1];
    }
    for (const [nodeId, node] of Object.entries(graph)) {
      if (added.has(nodeId)) continue;
      for (const [input, value] of Object.entries(node.inputs)) {
        if (isLinkTo(value, chain.model)) node.inputs[input] = model;
        else if (chain.clip && clip && isLinkTo(value, chain.clip)) node.inputs[input] = clip;
      }
    }
  }
}
