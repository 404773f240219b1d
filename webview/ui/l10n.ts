/**
 * The panel's strings in the display language: the host sends `vscode.l10n.bundle` (the extension's
 * l10n/bundle.l10n.<lang>.json, absent in English) and `vscode.env.language` in 'init', and the page
 * and the worker look every string up with @vscode/l10n's `t`, exactly as the host does with
 * `vscode.l10n.t` (one bundle for both; test/core/l10n.test.ts checks that every string looked up has Korean).
 */
import * as l10n from '@vscode/l10n';
import { localeOf } from '../../src/core/dsl/messages';

let language = 'en';

/** Use this language and bundle from now on (before the first `t` that should be translated). */
export function configureL10n(info: { language: string; bundle?: Record<string, string> } | undefined): void {
  language = info?.language ?? 'en';
  l10n.config({ contents: info?.bundle ?? {} });
}

/** The translation of `message` with `{0}`, `{1}`, ... filled in. */
export function t(message: string, ...args: (string | number | boolean)[]): string {
  return l10n.t(message, ...args);
}

/** The display language (a BCP 47 tag, for Intl). */
export function displayLanguage(): string {
  return language;
}

/** 'en' or 'ko': which of the core's catalogues (task titles, ...) to use. */
export function catalogueLocale(): 'en' | 'ko' {
  return localeOf(language);
}
