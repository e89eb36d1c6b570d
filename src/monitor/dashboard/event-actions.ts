/**
 * The page's events: the ones known (loaded, then followed through the stream), the "Mark
 * event" and "Start span"/"End span" buttons, the events bar and the editor. An event made here
 * is shown at once, without waiting for the stream to echo it.
 */
import type { MonitorEvent, StreamMessage } from '../api-types.js';
import type { ApiClient } from './api-client.js';
import { EventEditor } from './event-editor.js';
import { formatTime } from './format.js';
import { element, renderEventsBar } from './toolbar.js';

/** What the page does when events change. */
export interface EventActionHooks {
  /** Events were added, changed or deleted: draw them again. */
  changed(): void;
  /** Shows a refusal (a replay that takes no new events, a lost connection). */
  message(text: string): void;
}

type EventMessage = Extract<StreamMessage, { type: 'event' | 'event-updated' | 'event-deleted' }>;

/** Events of the page and the controls that change them. */
export class EventActions {
  private readonly events = new Map<string, MonitorEvent>();
  private readonly editor: EventEditor;

  constructor(
    private readonly api: ApiClient,
    form: HTMLFormElement,
    private readonly hooks: EventActionHooks,
  ) {
    this.editor = new EventEditor(form, {
      save: async (id, patch) => this.put(await this.api.updateEvent(id, patch)),
      end: async (id) => this.put(await this.api.endEvent(id)),
      remove: async (id) => {
        await this.api.deleteEvent(id);
        this.drop(id);
      },
      failed: (error) => this.fail(error),
    });
  }

  /** The events drawn on `host`'s charts: its own and those of no host, by time. */
  eventsOf(host: string): MonitorEvent[] {
    return [...this.events.values()].filter(
      (event) => event.host === undefined || event.host === host,
    );
  }

  /** Replaces every event (a reload). */
  load(events: readonly MonitorEvent[]): void {
    this.events.clear();
    for (const event of events) this.events.set(event.id, event);
    this.render();
  }

  /** Applies an event message of the stream. */
  apply(message: StreamMessage): void {
    const change = message as EventMessage;
    if (change.type === 'event-deleted') return this.drop(change.id);
    if (change.type === 'event' || change.type === 'event-updated') this.put(change.event);
  }

  /** Adds a mark now. */
  async mark(): Promise<void> {
    const label = `Mark ${formatTime(Date.now())}`;
    await this.api.addEvent({ label, kind: 'mark', source: 'manual' }).then(
      (event) => this.put(event),
      (error: unknown) => this.fail(error),
    );
  }

  /** Starts a span now, or ends the one this page's button started. */
  async toggleSpan(): Promise<void> {
    const open = this.openSpan();
    const call = open
      ? this.api.endEvent(open.id)
      : this.api.addEvent({
          label: `Span ${formatTime(Date.now())}`,
          kind: 'span',
          source: 'manual',
        });
    await call.then(
      (event) => this.put(event),
      (error: unknown) => this.fail(error),
    );
  }

  /** Opens the editor on `event`. */
  edit(event: MonitorEvent, x: number, y: number): void {
    this.editor.open(this.events.get(event.id) ?? event, x, y);
  }

  private put(event: MonitorEvent): void {
    this.events.set(event.id, event);
    this.editor.follow(event, event.id);
    this.render();
  }

  private drop(id: string): void {
    if (!this.events.delete(id)) return;
    this.editor.follow(undefined, id);
    this.render();
  }

  /** The newest span made in a dashboard and still open: the one "End span" ends. */
  private openSpan(): MonitorEvent | undefined {
    return [...this.events.values()]
      .filter((e) => e.kind === 'span' && e.source === 'manual' && e.endTimestampMs === undefined)
      .sort((a, b) => b.timestampMs - a.timestampMs)[0];
  }

  private render(): void {
    renderEventsBar(element('events-bar'), [...this.events.values()], (event, x, y) =>
      this.edit(event, x, y),
    );
    element('span-button').textContent = this.openSpan() ? 'End span' : 'Start span';
    this.hooks.changed();
  }

  private fail(error: unknown): void {
    this.hooks.message(error instanceof Error ? error.message : String(error));
  }
}
