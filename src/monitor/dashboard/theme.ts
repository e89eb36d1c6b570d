/**
 * Dark and light themes: the page's colours are CSS variables of `html[data-theme]`; the charts,
 * drawn on canvases, read them when built. The choice is kept in localStorage.
 */

/** A theme's name. */
export type ThemeName = 'dark' | 'light';

/** The colours charts draw their axes, grid and labels with. */
export interface ThemeColors {
  text: string;
  grid: string;
}

const STORAGE_KEY = 'otto-monitor.theme';

/** The saved theme, else the system's preference. */
export function savedTheme(): ThemeName {
  const saved = readStorage();
  if (saved === 'dark' || saved === 'light') return saved;
  return window.matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

/** Applies `theme` to the page and saves it. */
export function applyTheme(theme: ThemeName, save: boolean): void {
  document.documentElement.dataset.theme = theme;
  if (save) writeStorage(theme);
}

/** The theme shown now. */
export function currentTheme(): ThemeName {
  return document.documentElement.dataset.theme === 'light' ? 'light' : 'dark';
}

/** The current theme's chart colours, from its CSS variables. */
export function themeColors(): ThemeColors {
  const style = getComputedStyle(document.documentElement);
  return {
    text: style.getPropertyValue('--chart-text').trim() || '#c9d1d9',
    grid: style.getPropertyValue('--chart-grid').trim() || '#30363d',
  };
}

// Storage may be refused (a private window, a file: page): the theme then lasts for the page.
function readStorage(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function writeStorage(theme: ThemeName): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // kept for this page only
  }
}
