/**
 * The page's controls outside the charts: the host selector (a down host marked, its reason in
 * the tooltip), the tabs, the status dot, the events bar and the footer's point count.
 */
import type { HostState, MonitorEvent } from '../api-types.js';
import type { TabGroup } from './chart-groups.js';
import { formatSpan, formatTime } from './format.js';

/** Looks up an element of the page by id; the page is ours, so a missing one is a bug. */
export function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`dashboard: no element #${id}`);
  return found as T;
}

/** Fills the host selector, marking down hosts. */
export function renderHosts(
  select: HTMLSelectElement,
  hosts: readonly string[],
  states: readonly HostState[],
  selected: string,
): void {
  const byHost = new Map(states.map((state) => [state.host, state]));
  select.replaceChildren(
    ...hosts.map((host) => {
      const state = byHost.get(host);
      const option = new Option(state?.status === 'down' ? `${host} (down)` : host, host);
      option.title = state?.status === 'down' ? `down: ${state.reason ?? 'no answer'}` : '';
      option.dataset.status = state?.status ?? 'unknown';
      return option;
    }),
  );
  select.value = selected;
}

/** Shows the badge of the selected host when it is down, with why in its tooltip. */
export function renderHostState(badge: HTMLElement, state: HostState | undefined): void {
  badge.hidden = state?.status !== 'down';
  badge.title = state?.status === 'down' ? (state.reason ?? 'no answer') : '';
}

/** Draws the tabs; `onSelect` gets the id of a clicked one. */
export function renderTabs(
  nav: HTMLElement,
  tabs: readonly TabGroup[],
  selected: string,
  onSelect: (id: string) => void,
): void {
  nav.replaceChildren(
    ...tabs.map((tab) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.role = 'tab';
      button.textContent = tab.label;
      button.dataset.tab = tab.id;
      button.setAttribute('aria-selected', String(tab.id === selected));
      button.addEventListener('click', () => onSelect(tab.id));
      return button;
    }),
  );
}

/** The status dot: `live`, `replay`, `disconnected`, `connecting`. */
export function renderStatus(box: HTMLElement, status: string): void {
  const words: Record<string, string> = {
    live: 'Live',
    replay: 'Replay',
    disconnected: 'Disconnected',
    connecting: 'Connecting',
  };
  box.dataset.status = status;
  element('status-text').textContent = words[status] ?? status;
}

/** Most events listed in the bar: the newest. */
const MAX_LISTED_EVENTS = 100;

/** Lists the events, newest first, as buttons that open the editor. */
export function renderEventsBar(
  bar: HTMLElement,
  events: readonly MonitorEvent[],
  onOpen: (event: MonitorEvent, x: number, y: number) => void,
): void {
  const newest = [...events].sort((a, b) => b.timestampMs - a.timestampMs);
  bar.replaceChildren(
    ...newest.slice(0, MAX_LISTED_EVENTS).map((event) => {
      const chip = document.createElement('button');
      chip.type = 'button';
      chip.className = 'event-chip';
      chip.dataset.eventId = event.id;
      chip.style.borderLeftColor = event.color;
      chip.textContent = `${event.label} · ${describeWhen(event)}`;
      chip.addEventListener('click', (click) => onOpen(event, click.clientX, click.clientY + 12));
      return chip;
    }),
  );
}

function describeWhen(event: MonitorEvent): string {
  const start = formatTime(event.timestampMs);
  if (event.kind === 'mark') return start;
  return event.endTimestampMs === undefined
    ? `${start} – open`
    : `${start} – ${formatTime(event.endTimestampMs)}`;
}

/** The footer's count of drawn points, also in `body[data-points]` for tests and benchmarks. */
export function renderPointCount(box: HTMLElement, points: number, bucketMs: number): void {
  document.body.dataset.points = String(points);
  const averaged = bucketMs > 0 ? ` (averaged per ${formatSpan(bucketMs)})` : '';
  box.textContent = `${points} points${averaged}`;
}

/** Shows a message in the footer for 8 s (a refusal, a lost connection). */
export function showMessage(box: HTMLElement, text: string): void {
  box.textContent = text;
  box.hidden = false;
  window.setTimeout(() => {
    if (box.textContent === text) box.hidden = true;
  }, 8000);
}
