import { lazy, Suspense } from 'react';
import type { SessionInfo } from '@mediagen/contract';
import { useI18n } from '../i18n/useI18n.ts';
import { Header } from './Header.tsx';
import { SimulatorBanner } from './SimulatorBanner.tsx';
import { StudioScreen } from './StudioScreen.tsx';
import type { Route } from './useRoute.ts';
import { useStudio } from './useStudio.ts';

// The gallery is its own chunk: the studio's first load does not carry it.
const GalleryPage = lazy(async () => ({ default: (await import('../features/gallery/GalleryPage.tsx')).GalleryPage }));

/** The signed-in user's app: header, studio and gallery tabs sharing one studio state. */
export function Workspace({
  session,
  route,
  navigate,
  onLogout,
  onJobFinished,
}: {
  session: SessionInfo;
  route: Route;
  navigate: (path: string) => void;
  onLogout: () => void;
  onJobFinished: () => void;
}) {
  const { t } = useI18n();
  // Credits change when a job settles (charge or refund): re-read the session then.
  const studio = useStudio(onJobFinished);
  return (
    <div className="app">
      <Header route={route} navigate={navigate} session={session} onLogout={onLogout} />
      <SimulatorBanner />
      <main id="main" className="main" tabIndex={-1}>
        {route === 'gallery' ? (
          <Suspense
            fallback={
              <p className="empty" role="status">
                {t('gallery.loading')}
              </p>
            }
          >
            <GalleryPage
              onReuse={(params) => {
                studio.form.reuse(params);
                navigate('/');
              }}
              onUseAsReference={(value, preview) => {
                studio.form.applyReference({ value, preview, name: t('image.fromGallery') });
                navigate('/');
              }}
              onContinue={(params, value, preview) => {
                studio.form.reuse(params);
                studio.form.applyReference({ value, preview, name: t('image.lastFrame') });
                navigate('/');
              }}
            />
          </Suspense>
        ) : (
          <StudioScreen studio={studio} />
        )}
      </main>
    </div>
  );
}
