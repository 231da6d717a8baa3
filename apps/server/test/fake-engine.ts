import type { ModelId, ResolvedGeneration } from '@mediagen/contract';
import {
  EngineError,
  type BackendHealth,
  type Engine,
  type EngineListener,
  type EngineResult,
  type EngineRunInput,
  type TemplateRequirements,
} from '#ports/engine.ts';

export interface FakeBehaviour {
  steps: number;
  stepMs: number;
  /** throw this after the steps */
  fail?: EngineError;
  /** keep running until cancelled */
  hang?: boolean;
}

/** A test double of the Engine port (test code only): deterministic PNG outputs, scripted timing and failures. */
export class FakeEngine implements Engine {
  behaviour: (p: ResolvedGeneration) => FakeBehaviour = () => ({ steps: 4, stepMs: 20 });
  health: BackendHealth = {
    ok: true,
    missingNodes: [],
    missingModels: [],
    models: [],
    warnings: [],
    vramTotal: 80e9,
    vramFree: 70e9,
  };
  runs: string[] = [];
  private loaded = new Map<string, ModelId>();

  async run(input: EngineRunInput, l: EngineListener, signal: AbortSignal): Promise<EngineResult> {
    this.runs.push(input.taskId);
    // loaded on first use: the unit tests' ScriptedEngine extends this class and never needs sharp
    const { default: sharp } = await import('sharp');
    const b = this.behaviour(input.params);
    const promptId = input.existingPromptId ?? `fake-${input.taskId}`;
    await l.onSubmitted(promptId);
    this.loaded.set(input.backend.id, input.params.model);
    const preview = await sharp({
      create: { width: 64, height: 64, channels: 3, background: { r: 40, g: 90, b: 160 } },
    })
      .jpeg()
      .toBuffer();
    for (let i = 1; i <= b.steps || b.hang; i++) {
      await new Promise((res) => setTimeout(res, b.stepMs));
      if (signal.aborted) throw new EngineError('cancelled', 'interrupted', false);
      l.onProgress({ percent: Math.min(95, (i / b.steps) * 95), stage: 'sampling' });
      if (i === 1) l.onPreview(preview, 'image/jpeg');
    }
    if (b.fail) throw b.fail;
    const files = await Promise.all(
      input.params.seeds.map(async (seed, i) => ({
        filename: `out_${i}.png`,
        kind: 'image' as const,
        data: await sharp({
          create: {
            width: input.params.width,
            height: input.params.height,
            channels: 3,
            background: { r: seed % 256, g: (seed >> 8) % 256, b: 100 },
          },
        })
          .png()
          .toBuffer(),
      })),
    );
    return { promptId, files, executionMs: b.steps * b.stepMs };
  }

  ignoredParams(p: ResolvedGeneration): Array<{ param: string; reason: string }> {
    return p.model === 'flux' && p.negative_prompt ? [{ param: 'negative_prompt', reason: 'Flux runs at CFG 1' }] : [];
  }

  requirements(): TemplateRequirements {
    return { nodeClasses: [], modelFiles: [] };
  }

  async checkHealth(): Promise<BackendHealth> {
    return this.health;
  }

  setupScript(): string {
    return '#!/usr/bin/env bash\necho "nothing to install"\n';
  }

  onBackendReconnected(): () => void {
    return () => undefined;
  }

  loadedModel(backendId: string): ModelId | undefined {
    return this.loaded.get(backendId);
  }

  async close(): Promise<void> {}
}
