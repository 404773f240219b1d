/**
 * Numbers and durations in the reader's language, through `Intl` (platform-neutral: the host, the
 * panel and the CLI share it). `locale` is a BCP 47 tag such as `vscode.env.language`.
 *
 *   formatDuration(12_300, 'ko') === '12.3초'      formatDuration(185_000, 'ko') === '3분 5초'
 *   formatDuration(12_300, 'en') === '12.3 sec'    formatDuration(185_000, 'en') === '3 min 5 sec'
 */
const cache = new Map<string, Intl.NumberFormat>();
function nf(locale: string | undefined, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, options);
    } catch {
      f = new Intl.NumberFormat('en', options); // an unknown tag must not break a view
    }
    cache.set(key, f);
  }
  return f;
}

/** A duration: seconds (one decimal) under a minute, else whole minutes and seconds, or hours and minutes. */
export function formatDuration(ms: number, locale?: string): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const unit = (u: 'second' | 'minute' | 'hour', digits = 0) => nf(locale, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: digits });
  if (ms < 60_000) return unit('second', 1).format(Math.round(ms / 100) / 10);
  const s = Math.round(ms / 1000);
  if (s < 3600) {
    const sec = s % 60;
    return sec ? `${unit('minute').format(Math.floor(s / 60))} ${unit('second').format(sec)}` : unit('minute').format(s / 60);
  }
  const min = Math.floor((s % 3600) / 60);
  return min ? `${unit('hour').format(Math.floor(s / 3600))} ${unit('minute').format(min)}` : unit('hour').format(Math.floor(s / 3600));
}

/** An integer with the locale's grouping: 12,345. */
export function formatInteger(n: number, locale?: string): string {
  return nf(locale, { maximumFractionDigits: 0 }).format(n);
}

/** A fraction in [0, 1] as a percentage with one decimal: 97.3%. */
export function formatPercent(x: number, locale?: string): string {
  return nf(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(x);
}
