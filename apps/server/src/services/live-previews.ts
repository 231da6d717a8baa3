/** The latest live preview frame of each running task (kept in memory; a thumbnail replaces it at the end). */
export class LivePreviews {
  private readonly previews = new Map<string, { image: Buffer; mime: string; seq: number }>();

  set(taskId: string, image: Buffer, mime: string): number {
    const seq = (this.previews.get(taskId)?.seq ?? 0) + 1;
    this.previews.set(taskId, { image, mime, seq });
    return seq;
  }

  get(taskId: string): { image: Buffer; mime: string; seq: number } | undefined {
    return this.previews.get(taskId);
  }

  drop(taskId: string): void {
    this.previews.delete(taskId);
  }
}
