// AutoTimm.NET interactive report. Reads the JSON island #report-data and draws one image's page at a time with
// Plotly. Every element is built with text nodes: nothing from the data is ever parsed as HTML.
(() => {
  'use strict';
  const doc = JSON.parse(document.getElementById('report-data').textContent);
  const app = document.getElementById('app');
  const plotConfig = { displaylogo: false, responsive: true, scrollZoom: true, modeBarButtonsToRemove: ['select2d', 'lasso2d', 'toImage'] };
  const histogramBins = 20;
  let alpha = doc.alpha;
  let linkZoom = true;
  let current = -1;
  let plots = [];          // { gd, heatmaps: trace indices whose opacity the slider sets, linked: zoom follows the others }
  let syncing = false;

  // ---- small DOM helpers -----------------------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const fmt = (v, digits = 3) => (v === undefined || v === null || Number.isNaN(v)) ? '–' : Number(v).toFixed(digits);
  const pct = v => (v === undefined || v === null) ? '–' : (100 * v).toFixed(1) + '%';
  // Plotly renders a small HTML subset in names and hover labels and expands %{...}: user text is shown as typed.
  const plotlyText = s => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/%/g, '&#37;');
  function table(headers, rows, attrs) {
    return el('table', attrs, el('thead', null, el('tr', null, headers.map(h => el('th', null, h)))),
      el('tbody', null, rows.map(r => el('tr', r.attrs || null, r.cells.map(c => el('td', null, c))))));
  }

  // ---- maps: 8-bit levels in a one-channel PNG, value = lo + q (hi - lo) / 255 ---------------------------------
  const decoded = new WeakMap();
  async function pngLevels(uri) {
    const bytes = Uint8Array.from(atob(uri.slice(uri.indexOf(',') + 1)), c => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const levels = new Uint8Array(bitmap.width * bitmap.height);
    for (let i = 0; i < levels.length; i++) levels[i] = rgba[4 * i];
    bitmap.close();
    return { levels, width: canvas.width, height: canvas.height };
  }
  async function mapValues(map) {
    if (!decoded.has(map)) {
      const { levels, width, height } = await pngLevels(map.png);
      const step = (map.hi - map.lo) / 255;
      const rows = [];
      for (let y = 0; y < height; y++) {
        const row = new Array(width);
        for (let x = 0; x < width; x++) row[x] = map.lo + levels[y * width + x] * step;
        rows.push(row);
      }
      decoded.set(map, { rows, levels });
    }
    return decoded.get(map);
  }

  // ---- plots ---------------------------------------------------------------------------------------------------
  function imageLayout(image, title) {
    return {
      title: { text: plotlyText(title), font: { size: 13 }, x: 0.03, xanchor: 'left' },
      margin: { l: 36, r: 8, t: 30, b: 30 },
      xaxis: { range: [-0.5, image.width - 0.5], constrain: 'domain', showgrid: false, zeroline: false },
      yaxis: { range: [image.height - 0.5, -0.5], scaleanchor: 'x', constrain: 'domain', showgrid: false, zeroline: false },
      dragmode: 'zoom', hovermode: 'closest', showlegend: false, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#fff',
    };
  }
  const imageTrace = image => ({ type: 'image', source: image.image, hoverinfo: 'skip', name: 'image' });
  function heatmapTrace(map, values, name, visible, showscale) {
    return {
      type: 'heatmap', z: values.rows, zmin: map.lo, zmax: map.hi > map.lo ? map.hi : map.lo + 1, colorscale: doc.colorscale, opacity: alpha,
      name: plotlyText(name), visible, showscale, zsmooth: false,
      colorbar: { title: { text: 'importance', side: 'right' }, thickness: 10, len: 0.9 },
      hovertemplate: 'x: %{x}<br>y: %{y}<br>importance: %{z:.3f}<extra>' + plotlyText(name) + '</extra>',
    };
  }
  function boxTrace(d, visible, highlighted) {
    const [x0, y0, x1, y1] = d.box;
    return {
      type: 'scatter', mode: 'lines', x: [x0, x1, x1, x0, x0], y: [y0, y0, y1, y1, y0], visible,
      line: { color: highlighted ? '#ff3b30' : '#ffcc00', width: highlighted ? 3 : 2 }, name: plotlyText(`#${d.index} ${d.label}`),
      hovertemplate: plotlyText(`#${d.index} ${d.label} ${fmt(d.score, 2)}`) + '<extra></extra>',
    };
  }
  async function newPlot(container, traces, layout, options) {
    const gd = el('div', { class: 'plot' });
    container.append(gd);
    await Plotly.newPlot(gd, traces, layout, plotConfig);
    const entry = { gd, heatmaps: options.heatmaps || [], linked: options.linked !== false };
    plots.push(entry);
    if (entry.linked) gd.on('plotly_relayout', event => followZoom(entry, event));
    return entry;
  }
  // Linked zoom: a zoom, pan or reset on one image plot is applied to every other image plot of the page.
  function followZoom(source, event) {
    if (syncing || !linkZoom) return;
    const update = {};
    for (const key of Object.keys(event))
      if (/^[xy]axis\.(range|autorange)/.test(key)) update[key] = event[key];
    if (Object.keys(update).length === 0) return;
    if (update['xaxis.autorange'] || update['yaxis.autorange']) {
      const image = doc.images[current];
      Object.assign(update, { 'xaxis.range': [-0.5, image.width - 0.5], 'yaxis.range': [image.height - 0.5, -0.5] });
      delete update['xaxis.autorange'];
      delete update['yaxis.autorange'];
    }
    syncing = true;
    Promise.all(plots.filter(p => p !== source && p.linked).map(p => Plotly.relayout(p.gd, update))).finally(() => { syncing = false; });
  }
  function setAlpha(value) {
    alpha = value;
    for (const p of plots) if (p.heatmaps.length) Plotly.restyle(p.gd, { opacity: value }, p.heatmaps);
  }

  // ---- page sections -------------------------------------------------------------------------------------------
  function header(image, index) {
    const sub = [image.source, image.arch && `model ${image.arch}`, image.targetLabel && `explaining ${image.targetLabel}`, `colormap ${doc.colormap}`]
      .filter(Boolean).join(' · ');
    const prediction = image.predictedLabel === null || image.predictedLabel === undefined ? 'No prediction'
      : `Predicted: ${image.predictedLabel}` + (image.confidence === null || image.confidence === undefined ? '' : ` (${pct(image.confidence)})`);
    return el('header', { class: 'page-head' },
      el('h1', null, image.name),
      el('p', { class: 'prediction' }, prediction),
      el('p', { class: 'sub' }, sub),
      image.message ? el('p', { class: 'message' }, image.message) : null,
      doc.images.length > 1 ? el('p', { class: 'sub' }, `image ${index + 1} of ${doc.images.length}`) : null);
  }
  function topTable(image) {
    if (!image.top || image.top.length === 0) return null;
    return el('section', { class: 'card' }, el('h2', null, `Top ${image.top.length}`),
      table(['rank', 'class', 'label', 'probability', ''], image.top.map((t, i) => ({
        attrs: { class: i === 0 ? 'best' : null },
        cells: [i + 1, t.class, t.label, pct(t.probability), el('span', { class: 'bar', style: `width:${Math.round(100 * t.probability)}px` })],
      })), { class: 'top' }));
  }
  function controls(onReset) {
    const slider = el('input', { type: 'range', min: 0, max: 100, value: Math.round(alpha * 100), id: 'opacity', 'aria-label': 'heatmap opacity' });
    const shown = el('output', { for: 'opacity' }, Math.round(alpha * 100) + '%');
    slider.addEventListener('input', () => { shown.textContent = slider.value + '%'; setAlpha(slider.value / 100); });
    const link = el('input', { type: 'checkbox', id: 'link-zoom', checked: linkZoom });
    link.addEventListener('change', () => { linkZoom = link.checked; });
    return el('div', { class: 'controls' },
      el('label', null, 'Heatmap opacity ', slider, ' ', shown),
      el('label', null, link, ' Link zoom across methods'),
      el('button', { type: 'button', onclick: onReset }, 'Reset zoom'));
  }
  function statsTable(maps, caption) {
    if (maps.length === 0) return null;
    return el('section', { class: 'card' }, el('h2', null, caption),
      table(['method', 'layer', 'native', 'time (ms)', 'mean', 'std', 'Gini', 'entropy', 'top-10% mass', 'peak (x, y)'],
        maps.map(m => ({
          cells: [m.title, m.layer || '–', m.native[0] ? `${m.native[0]}×${m.native[1]}` : '–', fmt(m.timeMs, 1), fmt(m.stats.mean), fmt(m.stats.std),
            fmt(m.stats.gini), fmt(m.stats.entropy), fmt(m.stats.top10Mass), `${m.stats.peakX}, ${m.stats.peakY}`],
        })), { class: 'stats' }));
  }
  async function histogram(container, maps) {
    if (maps.length === 0) return;
    const traces = [];
    for (const m of maps) {
      const { levels } = await mapValues(m);
      const counts = new Array(histogramBins).fill(0);
      for (const q of levels) counts[Math.min(histogramBins - 1, Math.floor(q * histogramBins / 256))]++;
      const width = (m.hi - m.lo) / histogramBins;
      traces.push({
        type: 'bar', name: plotlyText(m.title), opacity: 0.6, x: counts.map((_, i) => m.lo + (i + 0.5) * width), y: counts.map(c => c / levels.length),
        width: width, hovertemplate: 'importance %{x:.2f}: %{y:.1%} of pixels<extra>' + plotlyText(m.title) + '</extra>',
      });
    }
    await newPlot(container, traces, {
      title: { text: 'Importance histogram', font: { size: 13 } }, barmode: 'overlay', margin: { l: 50, r: 8, t: 30, b: 40 },
      xaxis: { title: { text: 'importance' } }, yaxis: { title: { text: 'share of pixels' }, tickformat: '.0%' },
      legend: { x: 1, xanchor: 'right', y: 1, bgcolor: 'rgba(255,255,255,0.85)' }, paper_bgcolor: 'rgba(0,0,0,0)',
    }, { linked: false });
  }
  async function metricsSection(container, image) {
    if (!image.metrics || image.metrics.length === 0) return;
    const names = image.metrics[0].values.map(v => v[0]);
    const titles = new Map(image.maps.map(m => [m.method, m.title]));
    const title = method => titles.get(method) || method;
    container.append(el('section', { class: 'card' }, el('h2', null, 'Metrics'),
      table(['method', ...names], image.metrics.map(m => ({ cells: [title(m.method), ...m.values.map(v => fmt(v[1]))] })), { class: 'metrics' })));
    const traces = [];
    for (const m of image.metrics)
      for (const [kind, curve, dash] of [['deletion', m.deletion, 'solid'], ['insertion', m.insertion, 'dot']])
        if (curve) traces.push({ type: 'scatter', mode: 'lines', name: plotlyText(`${title(m.method)} ${kind}`), x: curve.x, y: curve.y, line: { dash } });
    if (traces.length === 0) return;
    const card = el('section', { class: 'card wide' });
    container.append(card);
    await newPlot(card, traces, {
      title: { text: 'Deletion (solid) and insertion (dotted) curves', font: { size: 13 } }, margin: { l: 50, r: 8, t: 30, b: 40 },
      xaxis: { title: { text: 'share of pixels perturbed' }, tickformat: '.0%' }, yaxis: { title: { text: 'target score' } },
      paper_bgcolor: 'rgba(0,0,0,0)',
    }, { linked: false });
  }
  function errorsTable(image) {
    const rows = image.errors.map(e => ({ cells: [e.method, e.message] }));
    for (const d of image.detections) for (const e of d.errors) rows.push({ cells: [`${e.method} (detection #${d.index})`, e.message] });
    if (rows.length === 0) return null;
    return el('section', { class: 'card errors' }, el('h2', null, 'Not explained'), table(['method', 'reason'], rows));
  }

  // ---- the three kinds of page ---------------------------------------------------------------------------------
  async function mapGrid(grid, image, maps, extras) {
    const original = el('div', { class: 'card plot-card' });
    grid.append(original);
    await newPlot(original, [imageTrace(image), ...extras.map(e => e.trace(true))], imageLayout(image, 'Image'), {});
    for (const m of maps) {
      const card = el('div', { class: 'card plot-card', 'data-method': m.method });
      grid.append(card);
      const values = await mapValues(m);
      await newPlot(card, [imageTrace(image), heatmapTrace(m, values, m.title, true, true), ...extras.map(e => e.trace(false))],
        imageLayout(image, m.title), { heatmaps: [1] });
    }
  }
  async function classificationPage(page, image) {
    const grid = el('div', { class: 'grid' });
    page.append(grid);
    await mapGrid(grid, image, image.maps, []);
    return image.maps;
  }
  // Detections: every box is a trace on every plot, shown or hidden from the table; the maps are the chosen detection's.
  async function detectionPage(page, image, state) {
    const boxesShown = image.detections.map(() => true);
    const chosen = state.detection ?? 0;
    const rows = image.detections.map((d, i) => {
      const show = el('input', { type: 'checkbox', checked: true, 'aria-label': `show box ${d.index}` });
      show.addEventListener('change', () => {
        boxesShown[i] = show.checked;
        for (const p of plots) if (p.boxes) Plotly.restyle(p.gd, { visible: show.checked }, [p.boxes[i]]);
      });
      const explain = el('input', { type: 'radio', name: 'explained-detection', checked: i === chosen, 'aria-label': `explain detection ${d.index}` });
      explain.addEventListener('change', () => { if (explain.checked) render(current, { detection: i }); });
      return { cells: [show, explain, d.index, d.label, fmt(d.score, 3), d.box.map(v => v.toFixed(0)).join(', ')] };
    });
    page.append(el('section', { class: 'card' }, el('h2', null, `Detections (${image.detections.length})`),
      image.detections.length ? table(['shown', 'explained', '#', 'label', 'score', 'box x0, y0, x1, y1'], rows, { class: 'detections' })
        : el('p', null, 'No detection passed the threshold.')));
    const grid = el('div', { class: 'grid' });
    page.append(grid);
    const maps = image.detections.length ? image.detections[chosen].maps : [];
    const before = plots.length;
    await mapGrid(grid, image, maps, image.detections.map((d, i) => ({ trace: () => boxTrace(d, boxesShown[i], i === chosen) })));
    for (const p of plots.slice(before)) {
      const first = p.gd.data.findIndex(t => t.type === 'scatter');
      p.boxes = image.detections.map((_, i) => first + i);
    }
    return maps;
  }
  // Segmentation: one plot per method with a heatmap layer per class; the table shows or hides each class's layer.
  async function segmentationPage(page, image) {
    const methods = [...new Set(image.classes.flatMap(c => c.maps.map(m => m.method)))];
    const shown = image.classes.map((_, i) => i === 0);
    const grid = el('div', { class: 'grid' });
    const original = el('div', { class: 'card plot-card' });
    grid.append(original);
    const originalTraces = [imageTrace(image)];
    let mask = null;
    if (image.mask) {
      const { rows } = await mapValues({ png: image.mask.png, lo: 0, hi: 255 });
      const classes = image.mask.labels.length;
      const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
      const scale = [];
      for (let c = 0; c < Math.max(classes, 1); c++) {
        const color = palette[c % palette.length];
        scale.push([c / Math.max(classes, 1), color], [(c + 1) / Math.max(classes, 1), color]);
      }
      originalTraces.push({
        type: 'heatmap', z: rows.map(r => r.map(Math.round)), zmin: -0.5, zmax: Math.max(classes, 1) - 0.5, colorscale: scale, opacity: 0.45,
        showscale: false, visible: false, name: 'predicted mask', zsmooth: false,
        customdata: rows.map(r => r.map(c => plotlyText(image.mask.labels[Math.round(c)] ?? `class ${Math.round(c)}`))),
        hovertemplate: 'x: %{x}<br>y: %{y}<br>class %{z}: %{customdata}<extra>mask</extra>',
      });
      mask = 1;
    }
    const entry = await newPlot(original, originalTraces, imageLayout(image, 'Image'), {});
    const layers = [];
    for (const method of methods) {
      const card = el('div', { class: 'card plot-card', 'data-method': method });
      grid.append(card);
      const traces = [imageTrace(image)];
      const indices = [];
      let title = method;
      for (const [i, c] of image.classes.entries()) {
        const m = c.maps.find(x => x.method === method);
        if (!m) continue;
        title = m.title;
        indices[i] = traces.length;
        traces.push(heatmapTrace(m, await mapValues(m), `${m.title} · ${c.label}`, shown[i], traces.length === 1));
      }
      const p = await newPlot(card, traces, imageLayout(image, title), { heatmaps: indices.filter(x => x !== undefined) });
      layers.push({ p, indices });
    }
    const rows = image.classes.map((c, i) => {
      const box = el('input', { type: 'checkbox', checked: shown[i], 'aria-label': `show class ${c.label}` });
      box.addEventListener('change', () => {
        for (const { p, indices } of layers) if (indices[i] !== undefined) Plotly.restyle(p.gd, { visible: box.checked }, [indices[i]]);
      });
      return { cells: [box, c.class, c.label, pct(c.share)] };
    });
    const maskToggle = mask === null ? null : el('label', null, el('input', {
      type: 'checkbox', 'aria-label': 'show predicted mask',
      onchange: e => Plotly.restyle(entry.gd, { visible: e.target.checked }, [mask]),
    }), ' Show the predicted mask on the image');
    page.append(el('section', { class: 'card' }, el('h2', null, `Classes (${image.classes.length})`), maskToggle,
      image.classes.length ? table(['shown', 'class', 'label', 'share of image'], rows, { class: 'classes' }) : el('p', null, 'No class was explained.')));
    page.append(grid);
    return image.classes.flatMap(c => c.maps.map(m => ({ ...m, title: `${m.title} · ${c.label}` })));
  }

  // ---- navigation ----------------------------------------------------------------------------------------------
  const nav = el('nav', { class: 'sidebar', 'aria-label': 'images' });
  const main = el('main', { class: 'page' });
  app.append(el('div', { class: 'layout' }, doc.images.length > 1 ? nav : null, main));
  const navButtons = doc.images.map((image, i) => {
    const label = image.predictedLabel === null || image.predictedLabel === undefined ? '' : image.predictedLabel;
    const button = el('button', { type: 'button', class: 'nav-item', onclick: () => show(i) }, el('span', { class: 'nav-name' }, image.name),
      el('span', { class: 'nav-label' }, label + (image.confidence === null || image.confidence === undefined ? '' : ` ${pct(image.confidence)}`)));
    return button;
  });
  if (doc.images.length > 1) {
    nav.append(el('div', { class: 'nav-head' }, el('strong', null, doc.title), el('span', { class: 'sub' }, `${doc.images.length} images`),
      el('div', { class: 'nav-buttons' },
        el('button', { type: 'button', id: 'prev', onclick: () => show(current - 1), 'aria-label': 'previous image' }, '← previous'),
        el('button', { type: 'button', id: 'next', onclick: () => show(current + 1), 'aria-label': 'next image' }, 'next →'))),
      ...navButtons);
    document.addEventListener('keydown', e => {
      if (e.target instanceof HTMLInputElement) return;
      if (e.key === 'ArrowRight') show(current + 1);
      else if (e.key === 'ArrowLeft') show(current - 1);
    });
    window.addEventListener('hashchange', () => { const i = indexFromHash(); if (i !== current) show(i); });
  }
  function indexFromHash() {
    const i = parseInt(location.hash.slice(1), 10) - 1;
    return Number.isInteger(i) && i >= 0 && i < doc.images.length ? i : 0;
  }

  let rendering = Promise.resolve();
  function show(index) {
    if (index < 0 || index >= doc.images.length) return rendering;
    if (doc.images.length > 1 && location.hash !== `#${index + 1}`) history.replaceState(null, '', `#${index + 1}`);
    return render(index, {});
  }
  function render(index, state) {
    rendering = rendering.then(() => draw(index, state)).catch(error => {
      main.replaceChildren(el('p', { class: 'message' }, `This page could not be drawn: ${error && error.message ? error.message : error}`));
      document.body.dataset.state = 'error';
    });
    return rendering;
  }
  async function draw(index, state) {
    document.body.dataset.state = 'drawing';
    for (const p of plots) Plotly.purge(p.gd);
    plots = [];
    current = index;
    navButtons.forEach((b, i) => b.classList.toggle('current', i === index));
    const image = doc.images[index];
    const page = el('div', { class: 'image-page' });
    main.replaceChildren(page);
    page.append(header(image, index));
    const summary = el('div', { class: 'row' }, topTable(image));
    page.append(summary);
    page.append(controls(() => {
      const image = doc.images[current];
      syncing = true;
      Promise.all(plots.filter(p => p.linked).map(p => Plotly.relayout(p.gd, { 'xaxis.range': [-0.5, image.width - 0.5], 'yaxis.range': [image.height - 0.5, -0.5] })))
        .finally(() => { syncing = false; });
    }));
    let maps;
    if (image.task === 'detection') maps = await detectionPage(page, image, state);
    else if (image.task === 'segmentation') maps = await segmentationPage(page, image);
    else maps = await classificationPage(page, image);
    const analysis = el('div', { class: 'row' });
    page.append(analysis);
    const histogramCard = el('section', { class: 'card wide' });
    if (maps.length) {
      analysis.append(histogramCard);
      await histogram(histogramCard, maps);
    }
    const stats = statsTable(maps, 'Map statistics');
    if (stats) analysis.append(stats);
    const metrics = el('div', { class: 'row' });
    page.append(metrics);
    await metricsSection(metrics, image);
    const errors = errorsTable(image);
    if (errors) page.append(errors);
    document.body.dataset.state = 'ready';
    document.body.dataset.image = String(index);
  }

  // plotly.js travels gzipped in base64; unpacked here and run as an inline script (no eval, no request).
  async function loadPlotly() {
    if (window.Plotly) return;
    if (typeof DecompressionStream !== 'function') throw new Error('this browser cannot unpack the report (it needs DecompressionStream: Chrome 80, Firefox 113, Safari 16.4 or later)');
    const packed = document.getElementById('plotly-gzip').textContent.trim();
    const bytes = Uint8Array.from(atob(packed), c => c.charCodeAt(0));
    const code = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
    const script = document.createElement('script');
    script.textContent = code;
    document.head.append(script);
    if (!window.Plotly) throw new Error('plotly.js did not load');
  }

  window.autotimmReport = { show, get current() { return current; }, get ready() { return rendering; }, data: doc };
  rendering = loadPlotly();
  show(indexFromHash());
})();
