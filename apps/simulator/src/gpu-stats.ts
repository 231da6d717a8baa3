// GET /system_stats (server.py, with the launch arguments a real server reports) and the simulator's
// own GET /sim/stats.
import os from 'node:os';
import type { SimulatedGpu } from './simulated-gpu.ts';

export function systemStats(gpu: SimulatedGpu): unknown {
  const used = Math.min(gpu.vramBytes, gpu.executor.loaded?.bytes ?? 0);
  return {
    system: {
      os: 'posix',
      ram_total: os.totalmem(),
      ram_free: os.freemem(),
      comfyui_version: '0.3.64',
      required_frontend_version: '1.27.10',
      installed_templates_version: '0.1.94',
      required_templates_version: '0.1.94',
      python_version: '3.12.3 (main, simulated) [GCC 13.2.0]',
      pytorch_version: '2.8.0+cu128',
      embedded_python: false,
      // like a real launch line: previews need --preview-method (ComfyUI's default is none)
      argv: ['main.py', '--port', String(gpu.port), '--preview-method', gpu.config.previews ? 'auto' : 'none'],
    },
    devices: [
      {
        name: `Simulated GPU ${gpu.port}`,
        type: 'cuda',
        index: 0,
        vram_total: gpu.vramBytes,
        vram_free: gpu.vramBytes - used,
        torch_vram_total: used,
        torch_vram_free: 0,
      },
    ],
  };
}

export function simStats(gpu: SimulatedGpu): unknown {
  const e = gpu.executor;
  const ms = [...e.executionMs.entries()];
  return {
    port: gpu.port,
    executions: Object.fromEntries(e.executions),
    total_executed: e.totalExecuted,
    loaded_model: e.loaded?.key ?? null,
    model_loads: e.modelLoads,
    loaded_model_files: e.loaded?.files ?? [],
    queue: { running: gpu.queue.running?.promptId ?? null, pending: gpu.queue.pendingIds() },
    time_scale: gpu.config.timeScale,
    previews: gpu.config.previews,
    execution_ms: Object.fromEntries(ms),
    last_execution_ms: ms.at(-1)?.[1].wall_ms ?? null,
    ws_clients: gpu.hub.clientIds.length,
    warnings: e.warnings,
  };
}
