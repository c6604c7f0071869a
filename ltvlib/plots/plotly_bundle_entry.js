'use strict';
// plotly.js partial bundle for ltv-workbench report pages: core (scatter) + sankey, with the ja locale.
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/sankey'), require('plotly.js/lib/locales/ja')]);
module.exports = Plotly;
