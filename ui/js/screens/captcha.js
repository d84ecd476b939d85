// The CAPTCHA: an image, its sound ("Écouter l'extrait sonore"), "Changer l'image", and the
// field for the answer. Used by the activation's first step and by the log-in when the service
// asks for one (`captcha_required`). Every attempt spends the CAPTCHA: `renew` after each.

import { h } from '../dom.js';
import { t, policy } from '../i18n.js';
import { field } from '../forms.js';

/** `onError(error, retry)` shows a failure to load an image. */
export function captchaBox(ctx, onError) {
  const image = h('img', { id: 'captcha-image', alt: t('act.captcha_alt'), width: 240, height: 96 });
  const audio = h('audio', { id: 'captcha-audio', preload: 'none' });
  const answerField = field({ id: 'captcha-answer', label: t('act.captcha'), hint: t('act.captcha_hint'), required: true, maxlength: policy().captcha_chars, narrow: true });
  const answer = answerField.querySelector('input');
  let id = null;
  let ready = Promise.resolve();
  const load = async (clearAnswer) => {
    try {
      const c = await ctx.call('new_captcha');
      id = c.id;
      image.src = c.image;
      audio.src = c.audio;
      if (clearAnswer) answer.value = '';
    } catch (error) {
      onError(error, () => box.renew());
    }
  };
  const node = h('div', { class: 'captcha-step' },
    h('div', { class: 'captcha' },
      image, audio,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button-secondary', id: 'captcha-new', onclick: () => box.renew() }, t('act.new_image')),
        h('button', { type: 'button', class: 'button-secondary', id: 'captcha-listen', onclick: () => { audio.currentTime = 0; audio.play().catch(() => {}); } }, t('act.listen')))),
    answerField);
  const box = {
    node,
    /** A new image; the answer typed is emptied unless `keepAnswer` (the first image loading). */
    renew(keepAnswer = false) {
      ready = load(!keepAnswer);
      return ready;
    },
    /** The CAPTCHA to send with an attempt, once its image has loaded. */
    async current() {
      await ready;
      return { captchaId: id, captchaAnswer: answer.value };
    },
  };
  return box;
}
