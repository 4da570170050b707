/**
 * The runs table: a checkbox, the run, then the chosen param, metric and tag
 * columns. A header click sorts on the server; grouped, each group is a row
 * with its count, kind and re-run verdict, opening onto its first runs.
 */

import * as React from 'react';

import { StatusIcon } from '../../components/common';
import { relativeTime } from '../../format';
import { Run, RunGroup } from '../../types';
import { ATTRIBUTE_COLUMNS, Column, cellText, isNumeric, parseColumn } from '../columns';
import { GROUP_PAGE, MAX_GROUPS, WorkspaceModel, groupId } from '../model';

type Open = (id: string) => void;

function shownColumns(model: WorkspaceModel): Column[] {
  const keyed = model.visibleColumns.map(parseColumn).filter((c): c is Column => c !== null);
  return [...ATTRIBUTE_COLUMNS, ...keyed];
}

export function RunsTable(props: {
  model: WorkspaceModel;
  runs: Run[];
  openRun: Open;
}): JSX.Element {
  const { model, runs } = props;
  const columns = shownColumns(model);
  return (
    <div className="nbtrail-ws-scroll">
      <table className="nbtrail-ws-table" aria-busy={model.loading}>
        <Header model={model} columns={columns} />
        <tbody>
          {runs.length === 0 && !model.loading ? (
            <tr>
              <td colSpan={columns.length + 1} className="nbtrail-empty">
                {model.filter.trim() ? 'No run matches this filter.' : 'No runs.'}
              </td>
            </tr>
          ) : (
            runs.map(run => (
              <RunRow
                key={run.id}
                model={model}
                run={run}
                columns={columns}
                openRun={props.openRun}
              />
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

function Header(props: { model: WorkspaceModel; columns: Column[] }): JSX.Element {
  const { model } = props;
  const sortedId = model.sort === 'time' ? 'attributes.started' : model.sort;
  return (
    <thead>
      <tr>
        <th className="nbtrail-ws-check" aria-label="Selected" />
        {props.columns.map(col => {
          const sorted = col.id === sortedId;
          const ariaSort = sorted ? (model.order === 'asc' ? 'ascending' : 'descending') : 'none';
          return (
            <th
              key={col.id}
              aria-sort={ariaSort}
              data-column={col.id}
              className={`nbtrail-ws-${col.kind}${isNumeric(col) ? ' nbtrail-num' : ''}`}
              title={col.id}
            >
              {col.sortable ? (
                <button className="nbtrail-ws-sort" onClick={() => void model.sortBy(col.id)}>
                  {col.label}
                  <span className="nbtrail-ws-arrow" aria-hidden="true">
                    {sorted ? (model.order === 'asc' ? ' ▲' : ' ▼') : ''}
                  </span>
                </button>
              ) : (
                col.label
              )}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

function RunRow(props: {
  model: WorkspaceModel;
  run: Run;
  columns: Column[];
  openRun: Open;
}): JSX.Element {
  const { model, run } = props;
  const selected = model.selected.includes(run.id);
  return (
    <tr className={selected ? 'jp-mod-selected' : undefined} data-run-id={run.id}>
      <td className="nbtrail-ws-check">
        <input
          type="checkbox"
          checked={selected}
          aria-label={`Select ${run.name}`}
          onChange={() => model.toggleSelected(run)}
        />
      </td>
      {props.columns.map(col =>
        col.id === 'attributes.name' ? (
          <td key={col.id}>
            <span className="nbtrail-ws-name">
              <StatusIcon status={run.status} />
              <button
                className="nbtrail-link"
                onClick={() => props.openRun(run.id)}
                title={`Open run ${run.id}`}
              >
                {run.name}
              </button>
              <span className="nbtrail-ws-id">{run.id.slice(-8)}</span>
              {run.lifecycle && run.lifecycle !== 'active' && (
                <span className="nbtrail-badge">{run.lifecycle}</span>
              )}
            </span>
          </td>
        ) : (
          <td
            key={col.id}
            className={isNumeric(col) ? 'nbtrail-num' : undefined}
            title={col.id === 'attributes.started' ? relativeTime(run.started) : undefined}
          >
            {cellText(run, col)}
          </td>
        )
      )}
    </tr>
  );
}

export function GroupedTable(props: { model: WorkspaceModel; openRun: Open }): JSX.Element {
  const { model } = props;
  const groups = model.groups.slice(0, MAX_GROUPS);
  return (
    <div className="nbtrail-ws-groups">
      {groups.length === 0 && <div className="nbtrail-empty">No runs to group.</div>}
      {groups.map(group => (
        <GroupBlock key={groupId(group.key)} model={model} group={group} openRun={props.openRun} />
      ))}
      {model.groups.length > MAX_GROUPS && (
        <div className="nbtrail-empty">
          {MAX_GROUPS} of {model.groups.length.toLocaleString()} groups shown: narrow the filter.
        </div>
      )}
    </div>
  );
}

function GroupBlock(props: { model: WorkspaceModel; group: RunGroup; openRun: Open }): JSX.Element {
  const { model, group } = props;
  const open = model.expanded.get(groupId(group.key));
  const label = group.key ?? (model.groupBy === 'batch' ? 'not in a batch' : '(none)');
  return (
    <section className="nbtrail-ws-group" data-group={group.key ?? ''}>
      <div className="nbtrail-ws-group-head">
        <button
          className="nbtrail-ws-group-toggle"
          aria-expanded={open !== undefined}
          onClick={() => void model.toggleGroup(group.key)}
        >
          {open ? '▾' : '▸'} <span className="nbtrail-ws-group-key">{label}</span>
        </button>
        {group.kind && <span className="nbtrail-badge">{group.kind}</span>}
        <span className="nbtrail-ws-hint">
          {group.count.toLocaleString()} run{group.count === 1 ? '' : 's'}, latest{' '}
          {relativeTime(group.latest)}
        </span>
        {group.verdict && (
          <span className={`nbtrail-verdict ${verdictClass(group.verdict)}`}>{group.verdict}</span>
        )}
        <button
          className="jp-mod-styled nbtrail-ws-group-all"
          onClick={() => void model.showGroup(group.key)}
        >
          Show in table
        </button>
        <button className="jp-mod-styled" onClick={() => void model.chartGroup(group.key)}>
          Chart group
        </button>
      </div>
      {open && (
        <>
          <RunsTable model={model} runs={open.runs} openRun={props.openRun} />
          {group.count > GROUP_PAGE && (
            <div className="nbtrail-ws-hint">
              First {GROUP_PAGE} of {group.count.toLocaleString()}: “Show in table” pages through
              all.
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** reproduced -> ok, within tolerance -> ok, diverged/failed -> bad. */
export function verdictClass(verdict: string): string {
  return verdict.startsWith('reproduced') ? 'nbtrail-verdict-ok' : 'nbtrail-verdict-bad';
}
