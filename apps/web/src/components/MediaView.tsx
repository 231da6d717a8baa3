export interface MediaViewProps {
  /** absolute URLs, one per output of a batch */
  urls: readonly string[];
  kind: 'image' | 'video';
  alt: string;
  testId?: string;
}

/**
 * Images as <img>; videos loop muted with autoplay (browsers allow muted autoplay) and keep
 * their controls. GIF output is an image element even for a video job.
 */
export function MediaView({ urls, kind, alt, testId }: MediaViewProps) {
  return (
    <div className={`media media--n${Math.min(urls.length, 4)}`} data-testid={testId}>
      {urls.map((url, i) =>
        kind === 'video' ? (
          <video
            key={url}
            src={url}
            controls
            loop
            muted
            autoPlay
            playsInline
            preload="metadata"
            aria-label={`${alt} ${i + 1}`}
            data-testid="result-video"
          />
        ) : (
          <img key={url} src={url} alt={`${alt} ${i + 1}`} loading="lazy" decoding="async" data-testid="result-image" />
        ),
      )}
    </div>
  );
}
