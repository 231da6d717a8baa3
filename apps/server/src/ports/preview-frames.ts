export interface PreviewFrame {
  image: Buffer;
  mime: string;
  seq: number;
}

/**
 * The latest live preview frame of each running task where every gateway can read it (several gateways on one
 * database; one gateway keeps its frames in memory and needs none of this).
 */
export interface SharedPreviewFrames {
  put(taskId: string, frame: PreviewFrame): Promise<void>;
  get(taskId: string): Promise<PreviewFrame | undefined>;
  delete(taskId: string): Promise<void>;
}
