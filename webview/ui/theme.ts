/**
 * Theme changes in a webview: VS Code sets the theme's colours as CSS variables on <html> and the
 * theme kind as a class of <body> (vscode-light, vscode-dark, vscode-high-contrast,
 * vscode-high-contrast-light). Canvas drawings read colours once, so they redraw on a change.
 */
const listeners = new Set<() => void>();
let observer: MutationObserver | undefined;
let pending = 0;

/** Calls `fn` (once per animation frame at most) after the theme changed. Returns an unsubscribe. */
export function onThemeChange(fn: () => void): () => void {
  listeners.add(fn);
  if (!observer) {
    observer = new MutationObserver(() => {
      if (pending) return;
      pending = requestAnimationFrame(() => {
        pending = 0;
        for (const l of listeners) l();
      });
    });
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  }
  return () => listeners.delete(fn);
}

/** A CSS variable of the current theme, or `fallback`. */
export function themeColor(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** High contrast (dark or light): thicker lines and a border around drawings. */
export function highContrast(): boolean {
  return document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
}
