// Pure decoding of what ComfyUI's /ws sends (reference/comfyui.md §3) and of the HTTP answers the client
// reads. The peer is untrusted: every known message is validated, malformed ones and unknown types
// (custom nodes add their own) are dropped.
import { z } from 'zod';

const zId = z.union([z.string(), z.number()]).transform(String);

const zStatus = z.object({
  type: z.literal('status'),
  data: z
    .object({
      status: z
        .object({ exec_info: z.object({ queue_remaining: z.number() }).loose() })
        .loose()
        .optional(),
      sid: z.string().optional(),
    })
    .loose(),
});
const zExecutionStart = z.object({
  type: z.literal('execution_start'),
  data: z.object({ prompt_id: z.string(), timestamp: z.number().optional() }).loose(),
});
const zExecutionCached = z.object({
  type: z.literal('execution_cached'),
  data: z.object({ prompt_id: z.string(), nodes: z.array(zId).default([]) }).loose(),
});
/** `node: null` with our prompt_id is the legacy "prompt finished" signal; on reconnect the server sends one without prompt_id. */
const zExecuting = z.object({
  type: z.literal('executing'),
  data: z
    .object({ node: zId.nullable(), display_node: zId.nullable().optional(), prompt_id: z.string().optional() })
    .loose(),
});
const zProgress = z.object({
  type: z.literal('progress'),
  data: z
    .object({
      value: z.number(),
      max: z.number(),
      prompt_id: z.string().nullable().optional(),
      node: zId.nullable().optional(),
    })
    .loose(),
});
const zExecuted = z.object({
  type: z.literal('executed'),
  data: z.object({ node: zId, prompt_id: z.string(), output: z.unknown().optional() }).loose(),
});
const zExecutionSuccess = z.object({
  type: z.literal('execution_success'),
  data: z.object({ prompt_id: z.string(), timestamp: z.number().optional() }).loose(),
});
const zExecutionError = z.object({
  type: z.literal('execution_error'),
  data: z
    .object({
      prompt_id: z.string(),
      node_id: zId.nullable().optional(),
      node_type: z.string().nullable().optional(),
      exception_message: z.string().default(''),
      exception_type: z.string().default(''),
    })
    .loose(),
});
const zExecutionInterrupted = z.object({
  type: z.literal('execution_interrupted'),
  data: z
    .object({ prompt_id: z.string(), node_id: zId.nullable().optional(), node_type: z.string().nullable().optional() })
    .loose(),
});

export const zComfyMessage = z.discriminatedUnion('type', [
  zStatus,
  zExecutionStart,
  zExecutionCached,
  zExecuting,
  zProgress,
  zExecuted,
  zExecutionSuccess,
  zExecutionError,
  zExecutionInterrupted,
]);
export type ComfyMessage = z.infer<typeof zComfyMessage>;
const KNOWN_TYPES = new Set<string>(zComfyMessage.options.map((o) => o.shape.type.value));

export type ParsedText =
  | { kind: 'message'; message: ComfyMessage }
  | { kind: 'ignored' }
  | { kind: 'malformed'; type: string; reason: string };

/** One text frame: a validated known message, an ignored (unknown/non-JSON) one, or a malformed known one. */
export function parseTextFrame(text: string): ParsedText {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'ignored' };
  }
  const type = raw !== null && typeof raw === 'object' && 'type' in raw ? raw.type : undefined;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) return { kind: 'ignored' };
  const parsed = zComfyMessage.safeParse(raw);
  if (!parsed.success)
    return {
      kind: 'malformed',
      type,
      reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  return { kind: 'message', message: parsed.data };
}

export interface PreviewFrame {
  image: Buffer;
  mime: 'image/jpeg' | 'image/png';
  /** only type-4 frames say which prompt they belong to */
  promptId?: string;
  nodeId?: string;
}

const zPreviewMeta = z
  .object({ prompt_id: z.string().optional(), node_id: zId.optional(), image_type: z.string().optional() })
  .loose();

/**
 * Binary frames start with a big-endian uint32 event type. 1: uint32 format (1 JPEG, 2 PNG), image
 * at byte 8. 4: uint32 metadata length, JSON metadata, image. Others (3 = text) are not previews.
 */
export function parseBinaryFrame(buf: Buffer): PreviewFrame | undefined {
  if (buf.length < 8) return undefined;
  const type = buf.readUInt32BE(0);
  if (type === 1) {
    const image = buf.subarray(8);
    if (image.length === 0) return undefined;
    return { image, mime: buf.readUInt32BE(4) === 2 ? 'image/png' : 'image/jpeg' };
  }
  if (type === 4) {
    const len = buf.readUInt32BE(4);
    if (8 + len >= buf.length) return undefined;
    let meta: z.infer<typeof zPreviewMeta>;
    try {
      const parsed = zPreviewMeta.safeParse(JSON.parse(buf.subarray(8, 8 + len).toString('utf8')));
      if (!parsed.success) return undefined;
      meta = parsed.data;
    } catch {
      return undefined;
    }
    const frame: PreviewFrame = {
      image: buf.subarray(8 + len),
      mime: meta.image_type === 'image/png' ? 'image/png' : 'image/jpeg',
    };
    if (meta.prompt_id) frame.promptId = meta.prompt_id;
    if (meta.node_id !== undefined) frame.nodeId = meta.node_id;
    return frame;
  }
  return undefined;
}

/** A /history/{id} entry (§2.4); only the parts the adapter reads. */
const zFileRef = z
  .object({ filename: z.string().min(1), subfolder: z.string().default(''), type: z.string().default('output') })
  .loose();
export type FileRef = z.infer<typeof zFileRef>;
export const zHistoryEntry = z
  .object({
    outputs: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    status: z
      .object({
        status_str: z.string().optional(),
        completed: z.boolean().optional(),
        messages: z
          .array(z.tuple([z.string(), z.unknown()]).rest(z.unknown()))
          .catch([])
          .default([]),
      })
      .loose()
      .optional(),
  })
  .loose();
export type HistoryEntry = z.infer<typeof zHistoryEntry>;

/** Output files of a history entry: `images` (SaveImage and core SaveVideo), `gifs` (VideoHelperSuite) and `videos`. */
export function outputFiles(entry: HistoryEntry, preferNode?: string): FileRef[] {
  const uis = preferNode && entry.outputs[preferNode] ? [entry.outputs[preferNode]] : Object.values(entry.outputs);
  const files: FileRef[] = [];
  for (const ui of uis) {
    for (const key of ['images', 'gifs', 'videos']) {
      const list = ui[key];
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        const ref = zFileRef.safeParse(item);
        // `temp` files are previews (PreviewImage), not results
        if (ref.success && ref.data.type !== 'temp') files.push(ref.data);
      }
    }
  }
  return files;
}

/** The message of a history entry's status list, e.g. ["execution_error", {...}]. */
export function historyMessage(entry: HistoryEntry, type: string): Record<string, unknown> | undefined {
  const m = entry.status?.messages.find((x) => x[0] === type);
  const data = m?.[1];
  return data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
}

/** HTTP answers the client reads (§2): POST /prompt, /upload/image, GET /queue, /system_stats. */
export const zPromptAccepted = z
  .object({
    prompt_id: z.string(),
    number: z.number().optional(),
    node_errors: z.record(z.string(), z.unknown()).default({}),
  })
  .loose();
export const zUploaded = z
  .object({ name: z.string().min(1), subfolder: z.string().default(''), type: z.string().optional() })
  .loose();
export const zQueue = z
  .object({
    queue_running: z.array(z.array(z.unknown())).default([]),
    queue_pending: z.array(z.array(z.unknown())).default([]),
  })
  .loose();
export const zSystemStats = z
  .object({
    system: z.record(z.string(), z.unknown()).optional(),
    devices: z
      .array(
        z
          .object({
            name: z.string().optional(),
            type: z.string().optional(),
            vram_total: z.number().optional(),
            vram_free: z.number().optional(),
          })
          .loose(),
      )
      .default([]),
  })
  .loose();
