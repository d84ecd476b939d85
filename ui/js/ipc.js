// The one way to reach Rust: Tauri's invoke, with errors as {code, message, fields}.

export async function call(command, args = {}) {
  const tauri = globalThis.__TAURI__;
  if (!tauri || !tauri.core) {
    throw { code: 'no_backend', message: 'Espace Pro doit être ouvert dans son application.' };
  }
  try {
    return await tauri.core.invoke(command, args);
  } catch (error) {
    if (error && typeof error === 'object' && 'code' in error) throw error;
    throw { code: 'unexpected', message: String(error) };
  }
}
