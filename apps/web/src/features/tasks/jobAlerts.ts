export type AlertMode = 'off' | 'sound' | 'notification';
const KEY = 'mediagen.alerts';

export function readAlertMode(): AlertMode {
  try {
    const v = globalThis.localStorage?.getItem(KEY);
    return v === 'sound' || v === 'notification' ? v : 'off';
  } catch {
    return 'off';
  }
}

export function storeAlertMode(mode: AlertMode): void {
  try {
    globalThis.localStorage?.setItem(KEY, mode);
  } catch {
    // not kept: fine
  }
}

/** A short two-tone chime (Web Audio; nothing to download). */
function chime(ok: boolean): void {
  const Ctx = globalThis.AudioContext;
  if (typeof Ctx !== 'function') return;
  const ctx = new Ctx();
  const tones = ok ? [660, 880] : [440, 330];
  tones.forEach((hz, i) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0.08, ctx.currentTime + i * 0.15);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + i * 0.15 + 0.14);
    osc.connect(gain).connect(ctx.destination);
    osc.start(ctx.currentTime + i * 0.15);
    osc.stop(ctx.currentTime + i * 0.15 + 0.15);
  });
  setTimeout(() => void ctx.close(), 600);
}

/** Opt-in: tell the user a job ended, by sound or by a browser notification (when the tab is hidden). */
export function alertJobEnd(mode: AlertMode, ok: boolean, title: string, body: string): void {
  if (mode === 'sound') chime(ok);
  if (mode === 'notification' && typeof Notification === 'function' && Notification.permission === 'granted') {
    if (document.visibilityState === 'visible') chime(ok);
    else new Notification(title, { body, tag: 'mediagen-job' });
  }
}

export async function askNotificationPermission(): Promise<boolean> {
  if (typeof Notification !== 'function') return false;
  if (Notification.permission === 'granted') return true;
  return (await Notification.requestPermission()) === 'granted';
}
