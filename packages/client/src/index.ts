export {
  MediaGenClient,
  type ClientOptions,
  type Download,
  type GalleryFilter,
  type GenerateInput,
  type GenerateOptions,
  type ImageInput,
  type WaitOptions,
} from './client.ts';
export * from './errors.ts';
export * from './webhooks.ts';
export { readSse, type SseMessage } from './sse.ts';
export { RouteCaller, type CallInput } from './route-caller.ts';
export type {
  AcceptedResponse,
  GalleryItem,
  GalleryPage,
  GenerateRequest,
  GenerationResult,
  ModelId,
  TaskEvent,
  TaskStatusResponse,
  WebhookEvent,
  WebhookLog,
  WebhookSettings,
} from '@mediagen/contract';
