import type { ImageRef } from './formState.ts';

/** SPEC §8 default upload limit; the server checks again (real decoding, pixel count). */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
const ACCEPTED_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
export const ACCEPT_ATTR = ACCEPTED_TYPES.join(',');

export type ImageFileProblem = 'type' | 'size' | 'read';

export class ImageFileError extends Error {
  readonly problem: ImageFileProblem;
  constructor(problem: ImageFileProblem) {
    super(problem);
    this.problem = problem;
  }
}

/** Reads a picked/dropped/pasted file as a data: URL, which the JSON payload carries as is. */
export function readImageFile(file: File): Promise<ImageRef> {
  if (!ACCEPTED_TYPES.includes(file.type)) return Promise.reject(new ImageFileError('type'));
  if (file.size > MAX_IMAGE_BYTES) return Promise.reject(new ImageFileError('size'));
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      if (typeof reader.result === 'string')
        resolve({ value: reader.result, preview: reader.result, name: file.name || 'image' });
      else reject(new ImageFileError('read'));
    };
    reader.onerror = () => reject(new ImageFileError('read'));
    reader.readAsDataURL(file);
  });
}

/** The first image file in a clipboard or drag payload, if any. */
export function firstImageFile(data: DataTransfer | null): File | undefined {
  if (!data) return undefined;
  for (const file of Array.from(data.files)) if (file.type.startsWith('image/')) return file;
  for (const item of Array.from(data.items ?? [])) {
    if (item.kind === 'file' && item.type.startsWith('image/')) {
      const file = item.getAsFile();
      if (file) return file;
    }
  }
  return undefined;
}
