// buildlake dashboard: draws the page from the JSON API (served) or from the inline data (static
// report). No network beyond the page's own origin; no external assets.
(function () {
  'use strict';

  var $ = function (id) { return document.getElementById(id); };
  var mode = document.body.getAttribute('data-mode');
  var embedded = null;
  if (mode === 'static') {
    embedded = JSON.parse($('buildlake-data').textContent);
  }
  var state = { project: '', branch: '', period: '', since: '', until: '' };
  var charts = {};
  var last = null; // last data drawn, for redraws on theme or size change
  var api = { mode: mode, state: state, charts: charts, generation: 0, loading: false, error: '' };
  window.buildlake = api;

  // ---------- formatting ----------
  function fmtInt(n) { return n == null ? '–' : Number(n).toLocaleString('en-US'); }
  function fmtPct(r) { return r == null ? '–' : (r * 100).toFixed(r >= 0.995 || r < 0.1 ? 1 : 1) + '%'; }
  function fmtDur(s) {
    if (s == null || isNaN(s)) return '–';
    s = Number(s);
    if (s < 1) return s.toFixed(2) + 's';
    if (s < 60) return (s < 10 ? s.toFixed(1) : Math.round(s)) + 's';
    var m = Math.floor(s / 60), sec = Math.round(s % 60);
    if (m < 60) return m + 'm' + (sec ? ' ' + sec + 's' : '');
    var h = Math.floor(m / 60);
    return h + 'h' + (m % 60 ? ' ' + (m % 60) + 'm' : '');
  }
  function fmtHours(h) { return h == null ? '–' : (h < 10 ? Number(h).toFixed(1) : Math.round(h).toLocaleString('en-US')) + ' h'; }
  function fmtDate(iso) { return iso ? String(iso).slice(0, 10) : '–'; }
  function fmtDateTime(iso) { return iso ? String(iso).replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC') : '–'; }
  function shortProject(slug) { var p = String(slug || '').split('/'); return p.length === 3 ? p[1] + '/' + p[2] : String(slug || ''); }
  function epoch(iso) { return Date.parse(String(iso).length === 10 ? iso + 'T00:00:00Z' : iso) / 1000; }

  function cssVar(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
  function palette() {
    var out = [];
    for (var i = 1; i <= 8; i++) out.push(cssVar('--c' + i));
    return out;
  }

  // ---------- tables of an answer ----------
  function rowsOf(t) {
    if (!t || !t.columns) return [];
    return (t.rows || []).map(function (r) {
      var o = {};
      t.columns.forEach(function (c, i) { o[c] = r[i]; });
      return o;
    });
  }
  function byProject(t, project) {
    var rows = rowsOf(t);
    if (!project) return rows;
    return rows.filter(function (r) { return r.project_slug === project; });
  }

  // ---------- data sources ----------
  function query(extra) {
    var q = new URLSearchParams();
    Object.keys(state).forEach(function (k) { if (state[k]) q.set(k, state[k]); });
    Object.keys(extra || {}).forEach(function (k) { q.set(k, extra[k]); });
    return q.toString();
  }
  function getJSON(path, extra) {
    return fetch(path + '?' + query(extra), { headers: { Accept: 'application/json' } }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body && body.error ? body.error : res.status + ' ' + res.statusText);
        return body;
      });
    });
  }

  function loadLive() {
    return Promise.all([
      getJSON('api/filters', state.project ? { project: state.project } : {}),
      getJSON('api/kpis'),
      // Trends come reduced by the server (busiest series, queue per period): never cut short.
      getJSON('api/trend/duration-trend'),
      getJSON('api/trend/queue-time-trend'),
      getJSON('api/trend/success-rate'),
      getJSON('api/query/flaky-tests', { limit: 100 }),
      getJSON('api/query/flaky-jobs', { limit: 100 }),
      getJSON('api/query/slowest-steps', { limit: 12 }),
      getJSON('api/flaky-test-builds'),
      getJSON('api/flaky-job-builds')
    ]).then(function (a) {
      var stale = a.filter(function (x) { return x.stale; });
      var asOf = a.map(function (x) { return x.as_of; }).sort()[0];
      return {
        filters: a[0], kpis: a[1].kpis, params: a[1].params,
        duration: rowsOf(a[2]), queue: rowsOf(a[3]), success: rowsOf(a[4]),
        flakyTests: rowsOf(a[5]), flakyJobs: rowsOf(a[6]), steps: rowsOf(a[7]),
        testLinks: rowsOf(a[8]), jobLinks: rowsOf(a[9]), flakyParams: a[5].params,
        trends: { 'duration-trend': a[2], 'queue-time-trend': a[3], 'success-rate': a[4] },
        tables: { 'flaky-tests': a[5], 'flaky-jobs': a[6] },
        asOf: asOf, stale: stale.length ? stale[0] : null
      };
    });
  }

  function loadStatic() {
    var d = embedded, p = state.project, q = d.queries, l = d.links;
    var trend = function (name) { var t = d.trends[name]; return t[p] || t['']; };
    return Promise.resolve({
      filters: d.filters, kpis: d.kpis[p] || d.kpis[''], params: d.params,
      duration: rowsOf(trend('duration-trend')), queue: rowsOf(trend('queue-time-trend')),
      success: rowsOf(trend('success-rate')),
      trends: { 'duration-trend': trend('duration-trend'), 'queue-time-trend': trend('queue-time-trend'), 'success-rate': trend('success-rate') },
      tables: { 'flaky-tests': q['flaky-tests'], 'flaky-jobs': q['flaky-jobs'] },
      flakyTests: byProject(q['flaky-tests'], p).slice(0, 100),
      flakyJobs: byProject(q['flaky-jobs'], p).slice(0, 100),
      steps: byProject(q['slowest-steps'], p).slice(0, 12),
      testLinks: byProject(l.flaky_test_builds, p), jobLinks: byProject(l.flaky_job_builds, p),
      flakyParams: q['flaky-tests'].params,
      asOf: d.generated_at, stale: null
    });
  }

  // ---------- filters ----------
  function fillSelect(sel, values, current, allLabel, label) {
    var keep = current && values.indexOf(current) < 0 ? [current].concat(values) : values;
    sel.textContent = '';
    var all = document.createElement('option');
    all.value = ''; all.textContent = allLabel;
    sel.appendChild(all);
    keep.forEach(function (v) {
      var o = document.createElement('option');
      o.value = v; o.textContent = label ? label(v) : v;
      sel.appendChild(o);
    });
    sel.value = current || '';
  }
  function nextDay(date) {
    return new Date(Date.parse(date + 'T00:00:00Z') + 86400000).toISOString().slice(0, 10);
  }
  function inclusiveDay(isoUntil) {
    var t = Date.parse(isoUntil);
    return isNaN(t) ? '' : new Date(t - 1).toISOString().slice(0, 10);
  }
  function showFilters(d) {
    fillSelect($('f-project'), d.filters.projects || [], state.project, 'All projects', shortProject);
    fillSelect($('f-branch'), d.filters.branches || [], state.branch || (mode === 'static' ? d.params.branch : ''), 'All branches');
    $('f-period').value = state.period || d.params.period || 'day';
    // The answer's params are the window the server resolved (defaults, ages like 30d).
    $('f-since').value = fmtDate(d.params.since);
    $('f-until').value = inclusiveDay(d.params.until);
    if (mode === 'static') {
      ['f-branch', 'f-period', 'f-since', 'f-until'].forEach(function (id) {
        $(id).disabled = true;
        $(id).title = 'Fixed when the report was generated (buildlake dashboard --branch/--period/--since/--until)';
      });
    }
  }
  function readFilters() {
    state.project = $('f-project').value;
    if (mode !== 'static') {
      state.branch = $('f-branch').value;
      state.period = $('f-period').value;
      state.since = $('f-since').value;
      // "To" is inclusive on screen; the API's until is exclusive.
      state.until = $('f-until').value ? nextDay($('f-until').value) : '';
    }
  }
  function stateFromURL() {
    var q = new URLSearchParams(location.search);
    Object.keys(state).forEach(function (k) { if (q.get(k)) state[k] = q.get(k); });
  }
  function stateToURL() {
    if (mode === 'static') return;
    var s = query({});
    history.replaceState(null, '', s ? '?' + s : location.pathname);
  }

  // showFlakyWindow says which window the flaky panels count: by default the 14 days before
  // "To" (as CircleCI Insights and the CLI count), which may be shorter than the page's window.
  function showFlakyWindow(fp) {
    var text = fp ? ' · ' + fmtDate(fp.since) + ' – ' + inclusiveDay(fp.until) : '';
    document.querySelectorAll('.flaky-window').forEach(function (el) { el.textContent = text; });
  }

  // showCuts says on the page what an answer left out: a chart's quieter series, or table rows
  // past the limit, so that nothing goes missing silently.
  function showCuts(d) {
    document.querySelectorAll('[data-cut]').forEach(function (el) {
      var name = el.getAttribute('data-cut'), t = d.trends[name], tab = d.tables[name], text = '';
      if (t && t.truncated) {
        text = ' · busiest ' + t.series_shown + ' of ' + fmtInt(t.series_total) + ' series';
      } else if (tab && tab.truncated) {
        text = ' · only the first ' + fmtInt((tab.rows || []).length) + ' rows';
      }
      el.textContent = text;
      el.className = text ? 'cut' : '';
    });
  }

  // ---------- KPIs and status ----------
  function showKPIs(k) {
    $('kpi-builds').textContent = fmtInt(k.builds);
    $('kpi-success').textContent = fmtPct(k.success_rate);
    $('kpi-duration').textContent = fmtDur(k.median_duration_seconds);
    $('kpi-queue').textContent = fmtDur(k.median_queue_seconds);
    $('kpi-flaky').textContent = fmtInt(k.flaky_tests);
  }
  function showStatus(d) {
    var el = $('status');
    el.className = 'status';
    if (mode === 'static') {
      var p = d.params;
      el.textContent = 'Report generated ' + fmtDateTime(d.asOf) + ' · ' + fmtDate(p.since) + ' – ' + inclusiveDay(p.until) +
        (p.branch ? ' · branch ' + p.branch : '') + ' · per ' + p.period;
    } else if (d.stale) {
      el.className = 'status stale';
      el.textContent = 'Database busy (a sync is running?): showing data as of ' + fmtDateTime(d.stale.as_of);
    } else {
      el.textContent = 'Data as of ' + fmtDateTime(d.asOf);
    }
    var f = d.filters;
    $('foot').textContent = 'buildlake · database holds builds from ' + fmtDate(f.first_build_at) + ' to ' + fmtDate(f.last_build_at) +
      ' · times in UTC';
  }
  function showError(msg) {
    var el = $('status');
    el.className = 'status error';
    el.textContent = 'Could not load data: ' + msg;
  }

  // ---------- charts ----------
  var periodSeconds = { day: 86400, week: 7 * 86400, month: 30 * 86400 };

  // topKeys returns the keys with the most weight, so a busy org's chart stays readable.
  function topKeys(rows, keyOf, weightOf, n) {
    var w = {};
    rows.forEach(function (r) { var k = keyOf(r); w[k] = (w[k] || 0) + (Number(weightOf(r)) || 0); });
    return Object.keys(w).sort(function (a, b) { return w[b] - w[a] || (a < b ? -1 : 1); }).slice(0, n);
  }
  function xValues(rows) {
    var seen = {};
    rows.forEach(function (r) { seen[epoch(r.period_start)] = true; });
    return Object.keys(seen).map(Number).sort(function (a, b) { return a - b; });
  }
  function jobKey(rows) {
    var projects = {};
    rows.forEach(function (r) { projects[r.project_slug] = true; });
    var many = Object.keys(projects).length > 1;
    return function (r) { return many ? shortProject(r.project_slug).split('/')[1] + ' · ' + r.job_name : r.job_name; };
  }
  function aligned(xs, rows, keyOf, key, field) {
    var at = {};
    rows.forEach(function (r) { if (keyOf(r) === key) at[epoch(r.period_start)] = r[field]; });
    return xs.map(function (x) { return at[x] == null ? null : Number(at[x]); });
  }

  function axes(yFormat) {
    var text = cssVar('--muted'), grid = cssVar('--grid');
    return [
      { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
      { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 60,
        values: function (u, vals) { return vals.map(yFormat); } }
    ];
  }

  function draw(name, el, series, data, opts) {
    if (charts[name]) { charts[name].destroy(); delete charts[name]; }
    el.textContent = '';
    var points = 0;
    for (var i = 1; i < data.length; i++) data[i].forEach(function (v) { if (v != null) points++; });
    el.setAttribute('data-points', String(points));
    el.setAttribute('data-series', String(series.length - 1));
    el.setAttribute('data-generation', String(api.generation));
    if (!points) {
      var empty = document.createElement('div');
      empty.className = 'empty';
      empty.textContent = 'No builds in this window.';
      el.appendChild(empty);
      return;
    }
    var width = Math.max(300, el.clientWidth || 600);
    var o = {
      width: width, height: 260, series: series,
      axes: opts.axes, scales: opts.scales || { x: { time: true } },
      legend: { live: true }, cursor: { points: { size: 6 } }
    };
    var u = new uPlot(o, data, el);
    // p95 lines share their p50 line's legend entry (which shows both values).
    var rowsEl = el.querySelectorAll('.u-legend .u-series');
    series.forEach(function (s, i) { if (s.p95 && rowsEl[i]) rowsEl[i].style.display = 'none'; });
    charts[name] = u;
  }

  function drawDuration(d) {
    var rows = d.duration, keyOf = jobKey(rows), pal = palette(), panel = cssVar('--panel');
    var keys = topKeys(rows, keyOf, function (r) { return r.builds; }, 6);
    rows = rows.filter(function (r) { return keys.indexOf(keyOf(r)) >= 0; });
    var xs = xValues(rows), series = [{}], data = [xs];
    keys.forEach(function (k, i) {
      var c = pal[i % pal.length];
      series.push({ label: k, stroke: c, width: 2, spanGaps: true, points: { fill: panel },
        value: function (u, v, si, idx) { return idx == null ? '–' : fmtDur(v) + ' / p95 ' + fmtDur(u.data[si + 1][idx]); } });
      data.push(aligned(xs, rows, keyOf, k, 'p50_seconds'));
      series.push({ label: k + ' p95', stroke: c, width: 1.25, dash: [5, 4], spanGaps: true, points: { show: false }, p95: true });
      data.push(aligned(xs, rows, keyOf, k, 'p95_seconds'));
    });
    draw('duration-trend', $('chart-duration'), series, data, { axes: axes(fmtDur) });
  }

  function drawQueue(d) {
    // Builds-weighted mean of the per-(project, resource class) medians: one bar per period.
    var per = {};
    d.queue.forEach(function (r) {
      var x = epoch(r.period_start), n = Number(r.builds) || 0;
      var p = per[x] || (per[x] = { n: 0, usage: 0, run: 0, nu: 0, nr: 0 });
      if (r.p50_usage_queue_seconds != null) { p.usage += n * r.p50_usage_queue_seconds; p.nu += n; }
      if (r.p50_run_queue_seconds != null) { p.run += n * r.p50_run_queue_seconds; p.nr += n; }
      p.n += n;
    });
    var xs = Object.keys(per).map(Number).sort(function (a, b) { return a - b; });
    var usage = xs.map(function (x) { var p = per[x]; return p.nu ? p.usage / p.nu : null; });
    var run = xs.map(function (x) { var p = per[x]; return p.nr ? p.run / p.nr : null; });
    var total = xs.map(function (x, i) { return usage[i] == null && run[i] == null ? null : (usage[i] || 0) + (run[i] || 0); });
    var pal = palette(), half = (periodSeconds[d.params.period] || 86400) / 2;
    var bars = uPlot.paths.bars({ size: [0.7, 48], align: 0 });
    // Stacked by drawing usage + run first and usage on top; the legend shows each part alone.
    var series = [{},
      { label: 'run queue (machine)', stroke: pal[1], fill: pal[1] + 'cc', width: 0, paths: bars, points: { show: false },
        value: function (u, v, si, i) { return i == null ? '–' : fmtDur(run[i]); } },
      { label: 'usage queue (concurrency)', stroke: pal[3], fill: pal[3] + 'ee', width: 0, paths: bars, points: { show: false },
        value: function (u, v) { return fmtDur(v); } }];
    draw('queue-time-trend', $('chart-queue'), series, [xs, total, usage], {
      axes: axes(fmtDur),
      scales: {
        x: { time: true, range: function (u, min, max) { return [min - half, max + half]; } },
        y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } }
      }
    });
  }

  function drawSuccess(d) {
    var rows = d.success, keyOf = jobKey(rows), pal = palette();
    var keys = topKeys(rows, keyOf, function (r) { return r.runs; }, 6);
    rows = rows.filter(function (r) { return keys.indexOf(keyOf(r)) >= 0; });
    var xs = xValues(rows), series = [{}], data = [xs];
    keys.forEach(function (k, i) {
      series.push({ label: k, stroke: pal[i % pal.length], width: 2, spanGaps: true, points: { fill: cssVar('--panel') },
        value: function (u, v) { return v == null ? '–' : v.toFixed(1) + '%'; } });
      data.push(aligned(xs, rows, keyOf, k, 'success_rate').map(function (v) { return v == null ? null : v * 100; }));
    });
    draw('success-rate', $('chart-success'), series, data, {
      axes: axes(function (v) { return v + '%'; }),
      scales: { x: { time: true }, y: { range: function (u, min) { return [Math.max(0, Math.floor((min - 5) / 10) * 10), 100]; } } }
    });
  }

  // ---------- tables ----------
  function td(text, cls) {
    var c = document.createElement('td');
    if (cls) c.className = cls;
    if (text != null) c.textContent = text;
    return c;
  }
  function buildLink(url, num, label, cls) {
    if (!url || !/^https?:\/\//i.test(url)) return null; // only real web links, never javascript:
    var a = document.createElement('a');
    a.href = url; a.target = '_blank'; a.rel = 'noopener noreferrer';
    a.className = 'build-link ' + cls;
    a.textContent = label + (num != null ? ' #' + num : '');
    return a;
  }
  function linksCell(link) {
    var c = td(null, 'links');
    if (!link) { c.textContent = '–'; return c; }
    [buildLink(link.failed_build_url, link.failed_build_num, 'failed', 'fail'),
     buildLink(link.passed_build_url, link.passed_build_num, 'passed', 'pass')].forEach(function (a) { if (a) c.appendChild(a); });
    if (!c.childNodes.length) c.textContent = '–';
    return c;
  }
  function fillBody(id, rows, emptyText, rowFn) {
    var body = $(id).tBodies[0];
    body.textContent = '';
    if (!rows.length) {
      var tr = document.createElement('tr');
      var c = td(emptyText, 'empty');
      c.colSpan = $(id).tHead.rows[0].cells.length;
      tr.appendChild(c);
      body.appendChild(tr);
    }
    rows.forEach(function (r) { body.appendChild(rowFn(r)); });
    $(id).setAttribute('data-rows', String(rows.length));
  }

  function showFlakyTests(d) {
    var links = {};
    // One test is one test_id (flaky-tests' key): same-named tests in other files are others.
    d.testLinks.forEach(function (l) { links[l.project_slug + '\u0000' + l.test_id] = l; });
    fillBody('table-flaky-tests', d.flakyTests, 'No flaky tests in this window.', function (r) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-test', (r.classname ? r.classname + '.' : '') + r.name);
      var name = td(null, 'test');
      var strong = document.createElement('div'); strong.className = 'name'; strong.textContent = r.name;
      var cls = document.createElement('div'); cls.className = 'muted small'; cls.textContent = r.classname || r.file || '';
      if (r.file) name.title = r.file;
      name.appendChild(strong); name.appendChild(cls);
      tr.appendChild(name);
      tr.appendChild(td(shortProject(r.project_slug)));
      tr.appendChild(td(fmtInt(r.flaky_revisions), 'num'));
      tr.appendChild(td(fmtInt(r.runs), 'num'));
      tr.appendChild(td(fmtInt(r.failures), 'num'));
      tr.appendChild(td(fmtPct(r.failure_rate), 'num'));
      tr.appendChild(td(fmtDate(r.last_flaky_at)));
      tr.appendChild(linksCell(links[r.project_slug + '\u0000' + r.test_id]));
      return tr;
    });
  }

  function showFlakyJobs(d) {
    var links = {};
    d.jobLinks.forEach(function (l) { links[l.project_slug + '\u0000' + l.job_name] = l; });
    fillBody('table-flaky-jobs', d.flakyJobs, 'No flaky jobs in this window.', function (r) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-job', r.job_name);
      tr.appendChild(td(r.job_name, 'name'));
      tr.appendChild(td(shortProject(r.project_slug)));
      tr.appendChild(td(fmtInt(r.flaky_revisions), 'num'));
      tr.appendChild(td(fmtInt(r.runs), 'num'));
      tr.appendChild(td(fmtInt(r.failures), 'num'));
      tr.appendChild(td(fmtInt(r.passed_on_retry), 'num'));
      tr.appendChild(td(fmtDate(r.last_flaky_at)));
      tr.appendChild(linksCell(links[r.project_slug + '\u0000' + r.job_name]));
      return tr;
    });
  }

  function showSteps(d) {
    var stepJob = jobKey(d.steps);
    var maxP50 = 0;
    d.steps.forEach(function (r) { maxP50 = Math.max(maxP50, Number(r.p50_seconds) || 0); });
    fillBody('table-steps', d.steps, 'No steps in this window.', function (r) {
      var tr = document.createElement('tr');
      var name = td(r.step_name, 'name');
      name.title = r.step_name;
      tr.appendChild(name);
      tr.appendChild(td(stepJob(r), 'muted'));
      tr.appendChild(td(fmtInt(r.runs), 'num'));
      tr.appendChild(td(fmtDur(r.p50_seconds), 'num'));
      tr.appendChild(td(fmtDur(r.p95_seconds), 'num'));
      tr.appendChild(td(fmtHours(r.total_hours), 'num'));
      var barCell = td(null, 'bar-col'), bar = document.createElement('div');
      bar.className = 'bar';
      bar.style.width = (maxP50 ? Math.max(2, 100 * (Number(r.p50_seconds) || 0) / maxP50) : 0) + '%';
      barCell.appendChild(bar);
      tr.appendChild(barCell);
      return tr;
    });
  }

  // ---------- main loop ----------
  function render(d) {
    last = d;
    showFilters(d);
    showKPIs(d.kpis);
    showFlakyWindow(d.flakyParams);
    showCuts(d);
    showStatus(d);
    drawDuration(d);
    drawQueue(d);
    drawSuccess(d);
    showFlakyTests(d);
    showFlakyJobs(d);
    showSteps(d);
  }

  var pending = 0;
  function refresh() {
    var ticket = ++pending;
    api.loading = true;
    document.body.classList.add('loading');
    return (mode === 'static' ? loadStatic() : loadLive()).then(function (d) {
      if (ticket !== pending) return; // a newer filter change is in flight
      api.generation++;
      api.error = '';
      render(d);
    }).catch(function (e) {
      if (ticket !== pending) return;
      api.error = String(e && e.message || e);
      showError(api.error);
    }).then(function () {
      if (ticket !== pending) return;
      api.loading = false;
      document.body.classList.remove('loading');
      document.body.setAttribute('data-generation', String(api.generation));
    });
  }

  $('filters').addEventListener('submit', function (ev) { ev.preventDefault(); });
  $('filters').addEventListener('change', function (ev) {
    if (ev.target.id === 'f-project') state.branch = ''; // branches differ per project
    readFilters();
    if (ev.target.id === 'f-project') { state.branch = ''; $('f-branch').value = ''; }
    stateToURL();
    refresh();
  });

  function redraw() {
    if (!last) return;
    drawDuration(last); drawQueue(last); drawSuccess(last);
  }
  if (window.matchMedia) {
    var mq = window.matchMedia('(prefers-color-scheme: dark)');
    if (mq.addEventListener) mq.addEventListener('change', redraw);
  }
  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      Object.keys(charts).forEach(function (k) {
        var el = charts[k].root.parentNode;
        charts[k].setSize({ width: Math.max(300, el.clientWidth), height: 260 });
      });
    }, 100);
  });

  if (mode === 'static') {
    state.period = embedded.params.period;
    state.branch = embedded.params.branch;
    state.project = embedded.params.project;
  } else {
    stateFromURL();
  }
  refresh();
})();
