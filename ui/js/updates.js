// "Mise à jour disponible": the banner above every screen, filled by a check (at start unless
// turned off in "Paramètres", or from "Rechercher maintenant"), with the install on request and
// the restart into the new version.

import { t } from './i18n.js';
import { call } from './ipc.js';
import { announce, topMessage } from './forms.js';

let found = null;

function banner() {
  return document.getElementById('update-banner');
}

/** Draws the banner for the update found (in the current language), or hides it. */
export function drawUpdate() {
  const root = banner();
  document.getElementById('update-title').textContent = t('update.title');
  document.getElementById('update-install').textContent = t('update.install');
  document.getElementById('update-later').textContent = t('update.later');
  if (!found) {
    root.hidden = true;
    return;
  }
  document.getElementById('update-version').textContent =
    t('update.version', { version: found.version, current: found.current_version });
  const notes = document.getElementById('update-notes');
  notes.textContent = found.notes ? t('update.notes', { notes: found.notes }) : '';
  notes.hidden = !found.notes;
  root.hidden = false;
}

function status(text, isError = false) {
  const el = document.getElementById('update-status');
  el.textContent = text;
  el.classList.toggle('error', isError);
}

/** Asks for an update; returns what was found (null: up to date). `quiet`: a failure at start
 * says nothing (the person did not ask). */
export async function checkUpdate({ quiet }) {
  try {
    found = await call('check_update');
  } catch (error) {
    if (!quiet) throw error;
    return null;
  }
  drawUpdate();
  if (found) announce(t('update.announce', { version: found.version }));
  return found;
}

export async function checkAtStart() {
  let enabled = true;
  try {
    enabled = await call('update_check_enabled');
  } catch {
    enabled = false;
  }
  if (enabled) await checkUpdate({ quiet: true });
}

export function setUpUpdates() {
  const install = document.getElementById('update-install');
  const later = document.getElementById('update-later');
  later.addEventListener('click', () => {
    found = null;
    status('');
    drawUpdate();
    document.getElementById('screen').focus();
  });
  install.addEventListener('click', async () => {
    install.disabled = true;
    later.disabled = true;
    status(t('update.installing'));
    try {
      const version = await call('install_update');
      status(t('update.installed', { version }));
      setTimeout(() => call('restart_app').catch(() => {}), 1500);
    } catch (error) {
      status(topMessage(error), true);
      found = null;
      install.hidden = true;
      later.disabled = false;
      later.textContent = t('update.close');
      return;
    }
  });
  drawUpdate();
}
