// node --test ui/tests: the zoom keys' levels, and their requests one at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextLevel, oneAtATime, setUpZoom } from '../js/zoom.js';

test('five presses make 200 %, Ctrl+0 makes 100 %, within the bounds', () => {
  let level = 1;
  for (let i = 0; i < 5; i++) level = nextLevel(level, '=');
  assert.equal(level, 2);
  assert.equal(nextLevel(level, '0'), 1);
  assert.equal(nextLevel(1, '+'), 1.2);
  assert.equal(nextLevel(1, '-'), 0.8);
  assert.equal(nextLevel(0.4, '-'), 0.4);
  assert.equal(nextLevel(5, '='), 5);
  assert.equal(nextLevel(1, 'a'), null);
  // Ctrl+0 on a French AZERTY keyboard: the key gives à.
  assert.equal(nextLevel(1.6, 'à', 'Digit0'), 1);
  assert.equal(nextLevel(1.6, '0', 'Numpad0'), 1);
});

/** An apply whose calls are answered in the reverse order they were made (as the webview's
 * requests may be), recording the level the page ends at. */
function reversedApply() {
  const state = { page: 1, calls: 0, running: 0, most: 0, pending: [] };
  state.apply = (level) => {
    state.calls += 1;
    state.running += 1;
    state.most = Math.max(state.most, state.running);
    return new Promise((resolve) => {
      state.pending.unshift(() => {
        state.page = level;
        state.running -= 1;
        resolve();
      });
    });
  };
  state.settle = async () => {
    while (state.pending.length) {
      for (const done of state.pending.splice(0)) done();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return state;
}

test('levels asked for in quick succession end at the last one, one request at a time', async () => {
  const state = reversedApply();
  const set = oneAtATime(state.apply);
  for (const level of [1.2, 1.4, 1.6, 1.8, 2]) set(level);
  await state.settle();
  assert.equal(state.page, 2);
  assert.equal(state.most, 1, 'two requests ran at once');
  assert.equal(state.calls, 2, 'the first, then only the newest of those that waited');
});

test('a refused request does not stop the next ones', async () => {
  let page = 1;
  let first = true;
  const set = oneAtATime(async (level) => {
    if (first) {
      first = false;
      throw new Error('refused');
    }
    page = level;
  });
  await set(1.2);
  assert.equal(page, 1);
  await set(1.4);
  assert.equal(page, 1.4);
});

test('the keys and the wheel: Ctrl with = + - 0 or the wheel only, not with Alt, ⌘ on macOS', async () => {
  const make = (macos) => {
    const listeners = [];
    const target = { addEventListener: (type, f) => listeners.push([type, f]) };
    const levels = [];
    setUpZoom(target, async (level) => levels.push(level), macos);
    const wheel = (deltaY, mods = {}) => {
      const event = { deltaY, ctrlKey: false, metaKey: false, altKey: false, ...mods, prevented: false };
      event.preventDefault = () => { event.prevented = true; };
      for (const [type, f] of listeners) if (type === 'wheel') f(event);
      return event.prevented;
    };
    const press = (key, mods = {}) => {
      const event = { key, ctrlKey: false, metaKey: false, altKey: false, ...mods, prevented: false };
      event.preventDefault = () => { event.prevented = true; };
      for (const [type, f] of listeners) if (type === 'keydown') f(event);
      return event.prevented;
    };
    return { press, wheel, levels };
  };
  const pc = make(false);
  assert.equal(pc.press('=', { ctrlKey: true }), true);
  assert.equal(pc.press('=', { metaKey: true }), false);
  assert.equal(pc.press('=', { ctrlKey: true, altKey: true }), false);
  assert.equal(pc.press('a', { ctrlKey: true }), false);
  assert.equal(pc.press('=', {}), false);
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(pc.levels, [1.2]);
  assert.equal(pc.wheel(-100, { ctrlKey: true }), true, 'Ctrl with the wheel up');
  assert.equal(pc.wheel(-100), false, 'the wheel alone scrolls');
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(pc.wheel(100, { ctrlKey: true }), true, 'Ctrl with the wheel down');
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(pc.levels, [1.2, 1.4, 1.2]);
  const mac = make(true);
  assert.equal(mac.press('-', { metaKey: true }), true);
  assert.equal(mac.press('-', { ctrlKey: true }), false);
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(mac.levels, [0.8]);
});
