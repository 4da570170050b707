/** The sidebar icon: a trail of runs. Themed through `jp-icon3` like JupyterLab's own. */

import { LabIcon } from '@jupyterlab/ui-components';

const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <circle cx="5" cy="18" r="2.5"/>
    <circle cx="12" cy="11" r="2.5"/>
    <circle cx="19" cy="5" r="2.5"/>
  </g>
  <path class="jp-icon3" fill="none" stroke="#616161" stroke-width="1.8" stroke-linecap="round"
    stroke-dasharray="2 2.6" d="M6.8 16.2 10.2 12.8M13.9 9.3 17.2 6.6"/>
</svg>`;

export const runsIcon = new LabIcon({ name: 'nbtrail:runs', svgstr });
