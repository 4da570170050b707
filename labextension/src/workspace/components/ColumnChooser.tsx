/** Which param, metric and tag columns the table shows: a searchable list of checkboxes. */

import * as React from 'react';

import { Column, keyColumns } from '../columns';
import { WorkspaceModel } from '../model';

const MAX_LISTED = 300;

export function ColumnChooser(props: { model: WorkspaceModel; onClose: () => void }): JSX.Element {
  const { model } = props;
  const [query, setQuery] = React.useState('');
  const all = keyColumns(model.columnKeys);
  const shown = new Set(model.visibleColumns);
  const matching = all.filter(c => c.id.toLowerCase().includes(query.toLowerCase()));
  const kinds: Array<[Column['kind'], string]> = [
    ['metric', 'Metrics'],
    ['param', 'Parameters'],
    ['tag', 'Tags']
  ];
  return (
    <div className="nbtrail-ws-chooser" role="dialog" aria-label="Columns">
      <div className="nbtrail-ws-chooser-bar">
        <input
          className="jp-mod-styled"
          type="search"
          placeholder="Search columns"
          aria-label="Search columns"
          value={query}
          onChange={e => setQuery(e.target.value)}
        />
        <button className="jp-mod-styled" onClick={() => model.setColumns(all.map(c => c.id))}>
          All
        </button>
        <button className="jp-mod-styled" onClick={() => model.setColumns([])}>
          None
        </button>
        <button className="jp-mod-styled jp-mod-accept" onClick={props.onClose}>
          Done
        </button>
      </div>
      <div className="nbtrail-ws-chooser-lists">
        {kinds.map(([kind, title]) => {
          const columns = matching.filter(c => c.kind === kind).slice(0, MAX_LISTED);
          return (
            <fieldset key={kind}>
              <legend>{title}</legend>
              {columns.length === 0 && <div className="nbtrail-empty">none</div>}
              {columns.map(col => (
                <label key={col.id} title={col.id}>
                  <input
                    type="checkbox"
                    checked={shown.has(col.id)}
                    onChange={() => model.toggleColumn(col.id)}
                  />
                  {col.key}
                </label>
              ))}
            </fieldset>
          );
        })}
      </div>
    </div>
  );
}
