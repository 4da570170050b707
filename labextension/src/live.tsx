/**
 * A React widget that renders a model and keeps it live: the model's cheap
 * change check is polled while the widget is visible (paused while hidden or
 * while the browser tab is), and a change re-renders through its signal.
 * The sidebar and the runs workspace share it.
 */

import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { Poll } from '@lumino/polling';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

/** What a live widget asks of its model. */
export interface LiveModel {
  readonly changed: ISignal<unknown, void>;
  checkForChanges(): Promise<unknown>;
}

export abstract class LiveWidget<M extends LiveModel> extends ReactWidget {
  constructor(
    readonly model: M,
    pollMs: number,
    name: string
  ) {
    super();
    this._poll = new Poll({
      factory: async () => {
        await this.model.checkForChanges();
      },
      frequency: { interval: pollMs, backoff: true, max: 30 * 1000 },
      // 'when-hidden' pauses while the browser tab is hidden; the widget's own
      // visibility is handled in onAfterShow and here.
      standby: () => (this.isVisible ? 'when-hidden' : true),
      name
    });
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    super.dispose();
  }

  protected onAfterShow(): void {
    void this._poll.refresh();
  }

  render(): JSX.Element {
    return <UseSignal signal={this.model.changed}>{() => this.view()}</UseSignal>;
  }

  /** What the widget shows of the model now. */
  protected abstract view(): JSX.Element;

  private readonly _poll: Poll;
}
