// The zoom keys: Ctrl+= (or Ctrl++) larger, Ctrl+- smaller, Ctrl+0 back to 100 % (⌘ on macOS),
// by steps of 20 %, WebKit's page zoom (text and layout, WCAG 1.4.4).
//
// In place of Tauri's own zoom keys (`zoomHotkeysEnabled`), which send each press's level as a
// request of its own: requests are not answered in order, so presses in quick succession could
// leave the page at an earlier level than the last press asked for. Here one request is in
// flight at a time, and the last level asked for is the one that stays.

export const STEP = 0.2;
export const MIN = 0.4;
export const MAX = 5;

/** The level after pressing `key` with the zoom modifier at `level`, or null for another key. */
export function nextLevel(level, key) {
  let next;
  if (key === '=' || key === '+') next = level + STEP;
  else if (key === '-') next = level - STEP;
  else if (key === '0') next = 1;
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

/** Listens for the zoom keys on `target` and applies the level with `apply` (the webview's). */
export function setUpZoom(target, apply, macos = false) {
  let level = 1;
  const set = oneAtATime(apply);
  target.addEventListener('keydown', (event) => {
    if (!(macos ? event.metaKey : event.ctrlKey) || event.altKey) return;
    const next = nextLevel(level, event.key);
    if (next === null) return;
    event.preventDefault();
    level = next;
    set(level);
  });
}
