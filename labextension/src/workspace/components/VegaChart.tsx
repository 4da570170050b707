/**
 * A Vega-Lite spec drawn by JupyterLab's own renderer: the rendermime
 * registry's factory for `application/vnd.vegalite.v5+json`, registered by
 * `@jupyterlab/vega5-extension`. It follows the theme (dark when the JupyterLab
 * theme is dark) and loads Vega only when a chart is first shown.
 */

import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import * as React from 'react';

import { Spec, VEGALITE_MIME } from '../charts';

export function VegaChart(props: {
  spec: Spec;
  rendermime: IRenderMimeRegistry | null;
  label: string;
}): JSX.Element {
  const host = React.useRef<HTMLDivElement>(null);
  const [problem, setProblem] = React.useState<string | null>(null);
  const { rendermime, spec } = props;
  React.useEffect(() => {
    const node = host.current;
    if (!node) {
      return;
    }
    if (!rendermime || rendermime.preferredMimeType({ [VEGALITE_MIME]: {} }) !== VEGALITE_MIME) {
      setProblem('JupyterLab has no Vega-Lite renderer enabled (@jupyterlab/vega5-extension).');
      return;
    }
    const renderer: IRenderMime.IRenderer = rendermime.createRenderer(VEGALITE_MIME);
    const model = new MimeModel({
      data: { [VEGALITE_MIME]: spec as ReadonlyPartialJSONObject },
      metadata: { [VEGALITE_MIME]: { embed_options: { actions: false } } }
    });
    // The node is placed by hand, not Widget.attach: React may remove the host
    // before this effect's cleanup runs, and a lumino detach would then throw.
    node.appendChild(renderer.node);
    renderer.renderModel(model).then(
      () => setProblem(null),
      error => setProblem(`The chart could not be drawn: ${String(error)}`)
    );
    return () => {
      renderer.node.remove();
      renderer.dispose();
    };
  }, [rendermime, JSON.stringify(spec)]);
  return (
    <div className="nbtrail-chart" aria-label={props.label} role="figure">
      {problem && <div className="nbtrail-empty">{problem}</div>}
      <div ref={host} className="nbtrail-chart-host" />
    </div>
  );
}
