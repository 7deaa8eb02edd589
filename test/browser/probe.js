// Injected last into the <body> of a copy of the report under test: once the
// page has loaded, measures what Chromium rendered and appends it as JSON in
// <pre id="probe">, which `chromium --dump-dom` prints.
window.addEventListener('load', function () {
  function box(el) { var r = el.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; }
  var out = {
    errors: window.__probeErrors || ['capture.js did not run'],
    charts: [],
    health: null,
    health_tables: document.querySelectorAll('table.health').length,
    raw_blocks: document.querySelectorAll('pre').length
  };
  document.querySelectorAll('svg').forEach(function (svg) {
    var t = svg.querySelector('text.chart-title');
    var sb = box(svg), tb = t ? box(t) : null;
    var bars = 0;
    // bars carry a <title> (their value); legend swatches do not
    svg.querySelectorAll('rect').forEach(function (r) {
      if (r.querySelector('title') && r.getBoundingClientRect().width >= 1) bars++;
    });
    out.charts.push({
      box: sb,
      title: t ? t.textContent : '',
      title_visible: !!(tb && tb.w > 0 && tb.h > 0 && tb.y >= sb.y && tb.y + tb.h <= sb.y + sb.h &&
                        getComputedStyle(t).visibility !== 'hidden' && getComputedStyle(t).display !== 'none'),
      bars: bars
    });
  });
  var h2 = Array.prototype.filter.call(document.querySelectorAll('h2'), function (h) { return h.textContent === 'Health'; })[0];
  if (h2) {
    var next = h2.nextElementSibling;
    out.health = { element: next ? next.tagName.toLowerCase() : null, rows: [] };
    if (next && next.tagName === 'TABLE') {
      next.querySelectorAll('tr').forEach(function (tr) {
        var cells = Array.prototype.map.call(tr.querySelectorAll('td'), function (td) { return td.textContent; });
        if (cells.length) out.health.rows.push(cells);
      });
    }
  }
  var pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
