/**
 * The small form that edits one event: its label, colour and line style, or deletes it (or ends
 * an open span). It opens next to where the event was clicked; Escape closes it.
 */
import type { MonitorEvent, MonitorEventPatch } from '../api-types.js';

type EventDash = MonitorEvent['dash'];

/** What the editor's buttons do. */
export interface EventEditorActions {
  save(id: string, patch: MonitorEventPatch): Promise<void>;
  end(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  /** An action was refused: the editor stays open. */
  failed(error: unknown): void;
}

/** The event editor of the page (`#event-editor`). */
export class EventEditor {
  private event: MonitorEvent | undefined;
  private isColorChanged = false;

  constructor(
    private readonly form: HTMLFormElement,
    private readonly actions: EventEditorActions,
  ) {
    form.addEventListener('submit', (submit) => {
      submit.preventDefault();
      void this.run((event) => this.actions.save(event.id, this.patch()));
    });
    this.input('color').addEventListener('input', () => (this.isColorChanged = true));
    this.button('end').addEventListener(
      'click',
      () => void this.run((e) => this.actions.end(e.id)),
    );
    this.button('delete').addEventListener(
      'click',
      () => void this.run((event) => this.actions.remove(event.id)),
    );
    this.button('close').addEventListener('click', () => this.close());
    document.addEventListener('keydown', (key) => {
      if (key.key === 'Escape') this.close();
    });
  }

  /** The event being edited, if the editor is open. */
  get openId(): string | undefined {
    return this.event?.id;
  }

  /** Opens the editor on `event`, near the page point `x`,`y`. */
  open(event: MonitorEvent, x: number, y: number): void {
    this.event = event;
    this.isColorChanged = false;
    this.input('label').value = event.label;
    this.input('color').value = /^#[0-9a-f]{6}$/i.test(event.color) ? event.color : '#e4572e';
    this.select('dash').value = event.dash;
    this.button('end').hidden = !(event.kind === 'span' && event.endTimestampMs === undefined);
    this.form.dataset.eventId = event.id;
    this.form.style.left = `${Math.max(8, Math.min(x, window.innerWidth - 300))}px`;
    this.form.style.top = `${Math.max(8, Math.min(y, window.innerHeight - 220))}px`;
    this.form.hidden = false;
    this.input('label').focus();
  }

  /** Follows a change of the event made elsewhere (another page, code); closes on deletion. */
  follow(event: MonitorEvent | undefined, id: string): void {
    if (this.event?.id !== id) return;
    if (event === undefined) return this.close();
    this.event = event;
    this.button('end').hidden = !(event.kind === 'span' && event.endTimestampMs === undefined);
  }

  /** Closes the editor. */
  close(): void {
    this.form.hidden = true;
    this.event = undefined;
    delete this.form.dataset.eventId;
  }

  private patch(): MonitorEventPatch {
    const patch: MonitorEventPatch = {
      label: this.input('label').value.trim(),
      dash: this.select('dash').value as EventDash,
    };
    if (this.isColorChanged) patch.color = this.input('color').value;
    return patch;
  }

  private async run(action: (event: MonitorEvent) => Promise<void>): Promise<void> {
    const event = this.event;
    if (!event) return;
    try {
      await action(event);
      this.close();
    } catch (error) {
      this.actions.failed(error);
    }
  }

  private input(name: string): HTMLInputElement {
    return this.form.elements.namedItem(name) as HTMLInputElement;
  }

  private select(name: string): HTMLSelectElement {
    return this.form.elements.namedItem(name) as HTMLSelectElement;
  }

  private button(action: string): HTMLButtonElement {
    return this.form.querySelector(`[data-action="${action}"]`)!;
  }
}
