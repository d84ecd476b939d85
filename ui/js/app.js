// The app shell: header, language, router. Each screen is a module in screens/ exporting
// { title, render(ctx, params) }.

import { clear } from './dom.js';
import { t, setLang, lang, setPolicy } from './i18n.js';
import { call } from './ipc.js';
import { announce, topMessage } from './forms.js';
import { setUpUpdates, checkAtStart, drawUpdate } from './updates.js';
import { setUpZoom } from './zoom.js';

import login from './screens/login.js';
import home from './screens/home.js';
import services from './screens/services.js';
import credentials from './screens/credentials.js';
import passwordDone from './screens/password-done.js';
import activationPending from './screens/activation-pending.js';
import activate from './screens/activate.js';
import coordinates from './screens/coordinates.js';
import forgot from './screens/forgot.js';
import activity from './screens/activity.js';
import devices from './screens/devices.js';
import exportData from './screens/export.js';
import totp from './screens/totp.js';
import help from './screens/help.js';
import mailbox from './screens/mailbox.js';
import settings from './screens/settings.js';

const SCREENS = { login, home, services, credentials, passwordDone, activationPending, activate, coordinates, forgot, activity, devices, export: exportData, totp, help, mailbox, settings };

const ctx = {
  info: null,
  /** Why the service did not answer the last time it was asked (an error code), or null. */
  serviceProblem: null,
  loggedIn: false,
  account: null,
  current: { name: 'login', params: {} },
  call,
  t,

  /** Shows a screen; focus goes to its heading so screen readers start there. */
  go(name, params = {}) {
    const screen = SCREENS[name] || SCREENS.login;
    ctx.current = { name, params };
    const main = document.getElementById('screen');
    clear(main);
    main.append(screen.render(ctx, params));
    document.title = `${t(screen.title)} – ${t('app.name')}`;
    windowTitle(document.title);
    document.body.dataset.screen = name;
    updateHeader();
    const heading = main.querySelector('h1');
    if (heading) {
      // The main region is named by the screen's heading (a screen reader says "Connexion à mon
      // espace professionnel, principal" when the skip link lands there).
      heading.id ||= 'screen-heading';
      main.setAttribute('aria-labelledby', heading.id);
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  },

  /** After an error: if the session is gone, back to log-in with a message. */
  sessionEnded(error) {
    if (error && (error.code === 'unauthorized' || error.code === 'no_session')) {
      ctx.loggedIn = false;
      ctx.account = null;
      ctx.go('login', { messageKey: 'app.session_ended' });
      return true;
    }
    if (error && error.code === 'password_expired') {
      ctx.go('credentials', { expired: true });
      return true;
    }
    return false;
  },

  /** Another service is in use (from "Paramètres"): its information, no session, no banner
   * until it is asked again; a session kept for it in the keyring is resumed. */
  switched(next, notice) {
    ctx.info = next;
    ctx.loggedIn = false;
    ctx.account = null;
    setPolicy(ctx.info);
    serviceBanner(next.service ? null : { code: 'network' });
    ctx.go('login', notice);
    connect();
  },

  /** After the session starts or ends without a change of screen. */
  refreshHeader() {
    updateHeader();
  },

  /** "Quitter": the session in use ends; the other accounts' stay. */
  async quit() {
    try {
      await call('logout');
    } finally {
      ctx.loggedIn = false;
      ctx.account = null;
      ctx.go('login');
    }
  },

  /** "Tout quitter": every session on this computer ends. */
  async quitAll() {
    let notice = { messageKey: 'accounts.all_ended' };
    try {
      await call('logout_all');
    } catch (error) {
      notice = { message: topMessage(error) };
    } finally {
      ctx.loggedIn = false;
      ctx.account = null;
      ctx.go('login', notice);
    }
  },

  /** "Changer de compte": back to the list; the session in use stays open for later. */
  async switchAccount() {
    try {
      await call('leave_account');
    } finally {
      ctx.loggedIn = false;
      ctx.account = null;
      ctx.go('login');
    }
  },
};

/** The window's own title follows the screen's (what the task switcher and a screen reader say
 * of the window, not only of the page). */
function windowTitle(title) {
  const current = globalThis.__TAURI__?.window?.getCurrentWindow?.();
  current?.setTitle(title).catch(() => {});
}

function updateHeader() {
  document.documentElement.lang = lang();
  document.getElementById('brand-name').textContent = t('app.name');
  document.getElementById('skip-link').textContent = t('app.skip');
  document.getElementById('banner-nav').setAttribute('aria-label', t('app.menu'));
  const badge = document.getElementById('demo-badge');
  badge.textContent = t('app.demo');
  badge.hidden = !ctx.info?.demo;
  document.getElementById('nav-help').textContent = t('app.help');
  const settingsButton = document.getElementById('nav-settings');
  settingsButton.textContent = t('app.settings');
  // Another service ends the session: offered when logged out.
  settingsButton.hidden = ctx.loggedIn;
  const mail = document.getElementById('nav-mailbox');
  mail.textContent = t('app.mailbox');
  mail.hidden = !ctx.info?.demo;
  const langButton = document.getElementById('nav-lang');
  langButton.textContent = t('app.lang');
  langButton.setAttribute('lang', lang() === 'fr' ? 'en' : 'fr');
  const quit = document.getElementById('nav-quit');
  quit.textContent = t('app.quit');
  quit.hidden = !ctx.loggedIn;
  const quitAll = document.getElementById('nav-quit-all');
  quitAll.textContent = t('app.quit_all');
  quitAll.hidden = !ctx.loggedIn;
  const switchButton = document.getElementById('nav-switch');
  switchButton.textContent = t('app.switch');
  switchButton.hidden = !ctx.loggedIn;
}

/** The banner above every screen while the service cannot be reached, with "Réessayer". */
function serviceBanner(error) {
  const banner = document.getElementById('service-banner');
  document.getElementById('service-retry').textContent = t('app.retry');
  document.getElementById('service-settings').textContent = t('app.settings');
  if (!error) {
    banner.hidden = true;
    return;
  }
  banner.dataset.code = error.code;
  const text = {
    network: 'app.service_unreachable',
    untrusted_certificate: 'app.service_untrusted',
  }[error.code] || 'app.service_unavailable';
  document.getElementById('service-banner-text').textContent = t(text);
  banner.hidden = false;
}

/**
 * Asks the service for its information in the background (the app gives it 3 s): the window is
 * usable meanwhile, and is not redrawn when it answers (what the log-in screen shows does not
 * depend on it). Once it answers, a session kept in the keyring is resumed, unless the person
 * has started typing on the log-in screen.
 */
async function connect() {
  try {
    ctx.info = await call('connect_service');
  } catch (error) {
    // Why, for "Paramètres" ("Le certificat du service n'est pas reconnu…").
    ctx.serviceProblem = error.code;
    serviceBanner(error);
    return;
  }
  ctx.serviceProblem = null;
  serviceBanner(null);
  setPolicy(ctx.info);
  updateHeader();
  if (ctx.loggedIn || ctx.current.name !== 'login') return;
  let resumed = false;
  try {
    resumed = await call('resume_session');
  } catch {
    resumed = false;
  }
  const typed = [...document.querySelectorAll('#screen input')].some((i) => i.value);
  if (resumed && !ctx.loggedIn && ctx.current.name === 'login' && !typed) {
    ctx.loggedIn = true;
    ctx.go('home');
    announce(t('login.resumed'));
  }
}

/** The service answers in the screens' language. */
async function tellLanguage() {
  try {
    await call('set_language', { lang: lang() });
  } catch {
    // An older build without the command: messages stay French.
  }
}

/** A link from an e-mail (given at start, or forwarded by a second start of the app): the
 * procedure it names with its code filled in; a malformed or foreign one is said so, and
 * nothing else changes. */
async function openLink() {
  let link = null;
  try {
    link = await call('take_link');
  } catch {
    return;
  }
  if (!link) return;
  if (link.kind === 'activation') {
    ctx.go('activate', { code: link.code });
  } else if (link.kind === 'recovery') {
    ctx.go('forgot', { code: link.code });
  } else {
    document.getElementById('link-refused')?.remove();
    const notice = document.createElement('p');
    notice.id = 'link-refused';
    notice.className = 'notice';
    notice.setAttribute('role', 'alert');
    notice.textContent = t('link.refused');
    document.getElementById('screen').prepend(notice);
  }
}

async function start() {
  const webview = globalThis.__TAURI__?.webview?.getCurrentWebview?.();
  if (webview) {
    setUpZoom(window, (level) => webview.setZoom(level), /Mac/.test(navigator.platform));
  }
  setLang(localStorage.getItem('espace-pro-lang') || 'fr');
  await tellLanguage();
  document.getElementById('nav-help').addEventListener('click', () => ctx.go('help', { back: ctx.current }));
  document.getElementById('nav-mailbox').addEventListener('click', () => ctx.go('mailbox', { back: ctx.current }));
  document.getElementById('nav-quit').addEventListener('click', () => ctx.quit());
  document.getElementById('nav-quit-all').addEventListener('click', () => ctx.quitAll());
  document.getElementById('nav-switch').addEventListener('click', () => ctx.switchAccount());
  document.getElementById('nav-lang').addEventListener('click', async () => {
    setLang(lang() === 'fr' ? 'en' : 'fr');
    localStorage.setItem('espace-pro-lang', lang());
    // What was announced in the other language is not left behind.
    const announcer = document.getElementById('announcer');
    if (announcer) announcer.textContent = '';
    await tellLanguage();
    const banner = document.getElementById('service-banner');
    if (!banner.hidden) serviceBanner({ code: banner.dataset.code });
    drawUpdate();
    ctx.go(ctx.current.name, ctx.current.params);
    // The service's own texts (support hours, form path) in the new language.
    if (banner.hidden) {
      try {
        ctx.info = await call('connect_service');
        if (ctx.current.name === 'help') ctx.go('help', ctx.current.params);
      } catch {
        // The banner's retry will ask again.
      }
    }
  });
  document.getElementById('service-retry').addEventListener('click', () => connect());
  document.getElementById('nav-settings').addEventListener('click', () => ctx.go('settings'));
  document.getElementById('service-settings').addEventListener('click', () => ctx.go('settings'));
  // Local: answers at once, whatever the service does.
  try {
    ctx.info = await call('app_info');
  } catch {
    ctx.info = null;
  }
  setPolicy(ctx.info);
  ctx.go('login');
  connect();
  globalThis.__TAURI__?.event?.listen('espace-pro-link', () => openLink());
  openLink();
  setUpUpdates();
  checkAtStart();
}

window.espacePro = ctx;
start();
