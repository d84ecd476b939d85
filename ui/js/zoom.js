// The zoom keys: Ctrl+= (or Ctrl++) larger, Ctrl+- smaller, Ctrl+0 back to 100 % (⌘ on macOS),
// and Ctrl with the mouse wheel, by steps of 20 %: the webview's page zoom (text and layout,
// WCAG 1.4.4).
//
// In place of Tauri's own zoom keys (`zoomHotkeysEnabled`), which send each press's level as a
// request of its own: requests are not answered in order, so presses in quick succession could
// leave the page at an earlier level than the last press asked for. Here one request is in
// flight at a time, and the last level asked for is the one that stays.

export const STEP = 0.2;
export const MIN = 0.4;
export const MAX = 5;

/** The level after pressing `key` (at `code` on the keyboard) with the zoom modifier at
 * `level`, or null for another key. The 0 key by its place too: on a French AZERTY keyboard it
 * gives `à`. */
export function nextLevel(level, key, code = '') {
  let next;
  if (key === '=' || key === '+') next = level + STEP;
  else if (key === '-') next = level - STEP;
  else if (key === '0' || code === 'Digit0' || code === 'Numpad0') next = 1;
  else return null;
  // Tenths, so that five steps make exactly 2 and the way back exactly 1.
  return Math.round(Math.min(Math.max(next, MIN), MAX) * 10) / 10;
}

/** `apply(level)` with one call at a time: a level asked for while a call runs waits for it,
 * and only the newest of those waiting is applied. Resolves once the newest level is applied. */
export function oneAtATime(apply) {
  let running = null;
  let wanted = null;
  return function set(level) {
    wanted = level;
    if (!running) {
      running = (async () => {
        while (wanted !== null) {
          const level = wanted;
          wanted = null;
          try {
            await apply(level);
          } catch {
            // A refused zoom leaves the page as it was; the next press tries again.
          }
        }
        running = null;
      })();
    }
    return running;
  };
}

/** Listens on `target` for the zoom keys, and for the wheel with the zoom modifier held (a
 * step a notch), and applies the level with `apply` (the webview's). */
export function setUpZoom(target, apply, macos = false) {
  let level = 1;
  const set = oneAtATime(apply);
  const modifier = (event) => (macos ? event.metaKey : event.ctrlKey) && !event.altKey;
  target.addEventListener('keydown', (event) => {
    if (!modifier(event)) return;
    const next = nextLevel(level, event.key, event.code);
    if (next === null) return;
    event.preventDefault();
    level = next;
    set(level);
  });
  target.addEventListener(
    'wheel',
    (event) => {
      if (!modifier(event) || event.deltaY === 0) return;
      event.preventDefault();
      level = nextLevel(level, event.deltaY < 0 ? '+' : '-');
      set(level);
    },
    { passive: false },
  );
}
