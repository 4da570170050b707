/** Run management in the detail view: tags as key=value, the note, archive and restore. */

import * as React from 'react';

import { RunsModel } from '../model';
import { Run } from '../types';
import { Section } from './common';

export function TagsEditor(props: { run: Run; model: RunsModel }): JSX.Element {
  const { run, model } = props;
  const [text, setText] = React.useState('');
  const tags = Object.entries(run.tags ?? {});
  const add = () => {
    const [key, ...rest] = text.split('=');
    if (key.trim()) {
      void model.setTag(run.id, key, rest.join('='));
      setText('');
    }
  };
  return (
    <Section title="Tags" count={tags.length}>
      <div className="nbtrail-tags">
        {tags.map(([key, value]) => (
          <span key={key} className="nbtrail-tag">
            {value ? `${key}=${value}` : key}
            <button
              className="nbtrail-tag-remove"
              aria-label={`Remove tag ${key}`}
              title={`Remove tag ${key}`}
              onClick={() => void model.removeTag(run.id, key)}
            >
              ×
            </button>
          </span>
        ))}
      </div>
      <form
        className="nbtrail-inline-form"
        onSubmit={event => {
          event.preventDefault();
          add();
        }}
      >
        <input
          className="jp-mod-styled"
          placeholder="key=value"
          aria-label="New tag"
          value={text}
          onChange={event => setText(event.target.value)}
        />
        <button type="submit" className="jp-mod-styled" disabled={!text.trim()}>
          Add tag
        </button>
      </form>
    </Section>
  );
}

export function NoteEditor(props: { run: Run; model: RunsModel }): JSX.Element {
  const { run, model } = props;
  const saved = run.note ?? '';
  const [text, setText] = React.useState(saved);
  React.useEffect(() => setText(saved), [run.id, saved]);
  return (
    <Section title="Note">
      <textarea
        className="jp-mod-styled nbtrail-note"
        aria-label="Note"
        rows={3}
        placeholder="What was this run for?"
        value={text}
        onChange={event => setText(event.target.value)}
      />
      <button
        className="jp-mod-styled"
        disabled={text === saved}
        onClick={() => void model.setNote(run.id, text)}
      >
        Save note
      </button>
    </Section>
  );
}

export function ArchiveButton(props: { run: Run; model: RunsModel }): JSX.Element {
  const { run, model } = props;
  const archived = (run.lifecycle ?? 'active') !== 'active';
  return (
    <button
      className="jp-mod-styled"
      title={
        archived
          ? 'Show this run in lists again'
          : 'Hide this run from lists (nbtrail restore undoes it)'
      }
      onClick={() => void model.setLifecycle(run.id, archived ? 'active' : 'archived')}
    >
      {archived ? 'Restore' : 'Archive'}
    </button>
  );
}
