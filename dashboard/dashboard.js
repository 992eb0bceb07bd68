// The operator's dashboard: follows GET /dashboard/stream (server-sent events, read with fetch so the
// token travels in the Authorization header, never in a URL) and renders each snapshot.
/* global uPlot */

const $ = (selector) => document.querySelector(selector);
const TOKEN_KEY = 'micromarket.operatorToken';
/** CTA-2045 operational states (Basic DR 0x13). */
const STATES = ['Idle Normal', 'Running Normal', 'Running Curtailed Grid', 'Running Heightened Grid', 'Idle Curtailed Grid', 'SGD Error Condition',
  'Idle Heightened', 'Cycling On', 'Cycling Off', 'Variable Following', 'Variable Not Following', 'Idle, Opted Out', 'Running, Opted Out',
  'Running, Price Stream', 'Idle, Price Stream'];

const time = (ms) => new Date(ms).toISOString().slice(11, 16);
const day = (ms) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
const num = (value, digits = 3) => (value === undefined || value === null ? '–' : Number(value).toFixed(digits).replace(/\.?0+$/, '') || '0');

/** A table cell: text, or [text, className]. */
function cell(content) {
  const td = document.createElement('td');
  const [text, className] = Array.isArray(content) ? content : [content, ''];
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function row(cells) {
  const tr = document.createElement('tr');
  tr.append(...cells.map(cell));
  return tr;
}

function fill(table, rows, columns) {
  const body = $(`${table} tbody`);
  body.replaceChildren(...(rows.length > 0 ? rows : [row([['none yet', 'empty'], ...Array(columns - 1).fill('')])]));
}

const charts = new Map();

/** One card per market: its terms, its last price, a chart of its prices, its books and positions. */
function renderMarket(view) {
  const { rules, books, prices, positions } = view;
  let card = document.getElementById(`market-${rules.id}`);
  if (!card) {
    card = document.createElement('article');
    card.className = 'card';
    card.id = `market-${rules.id}`;
    card.innerHTML = `<h3></h3><div class="context"></div><div class="last-price" data-role="last"></div><dl></dl><div data-role="chart"></div>
      <table data-role="books"><thead><tr><th>interval</th><th class="num">tenders</th><th>bids</th><th>asks</th><th class="num">indicative</th></tr></thead><tbody></tbody></table>
      <table data-role="positions"><thead><tr><th>party</th><th class="num">net</th><th class="num">delivered</th><th class="num">cost</th></tr></thead><tbody></tbody></table>`;
    $('#markets').append(card);
  }
  const units = `${rules.resource.siScaleCode === 'none' ? '' : rules.resource.siScaleCode}${rules.resource.units}`;
  card.querySelector('h3').textContent = rules.name;
  card.querySelector('.context').textContent = `${rules.marketContext} · ${rules.clearing.kind}${rules.clearing.bids ? ` (${rules.clearing.bids} bids)` : ''}`;
  const last = prices.at(-1);
  card.querySelector('[data-role=last]').textContent = last ? `${num(last.price)} ${rules.currency} · ${time(last.interval)}` : 'no clearing yet';
  const terms = [['interval', rules.granularity], ['gate closes', `${rules.clearing.gateClosure} ahead`], ['prices', `${rules.prices.floor} … ${rules.prices.cap} ${rules.currency}`],
    ['units', units], ['enrollment', rules.enrollment], ['intertie', view.intertie ? `→ ${view.intertie.parent}` : 'none']];
  card.querySelector('dl').replaceChildren(...terms.flatMap(([k, v]) => { const dt = document.createElement('dt'); dt.textContent = k; const dd = document.createElement('dd'); dd.textContent = v; return [dt, dd]; }));
  renderChart(card.querySelector('[data-role=chart]'), rules, prices);
  const most = Math.max(1, ...books.flatMap((b) => [...b.bids, ...b.asks].map(([, q]) => q)));
  const depth = (levels, side) => {
    const td = cell(levels.length === 0 ? '–' : '');
    for (const [price, quantity] of levels.slice(0, 3)) {
      const line = document.createElement('div');
      line.className = 'depth';
      const bar = document.createElement('span');
      bar.className = `bar ${side}`;
      bar.style.width = `${Math.max(2, (quantity / most) * 80)}px`;
      line.append(bar, `${num(quantity)} @ ${num(price)}`);
      td.append(line);
    }
    return td;
  };
  card.querySelector('[data-role=books] tbody').replaceChildren(...(books.length === 0 ? [row([['no open tenders', 'empty'], '', '', '', ''])] : books.map((b) => {
    const tr = row([time(b.interval), [String(b.tenders), 'num']]);
    tr.append(depth(b.bids, 'buy'), depth(b.asks, 'sell'), cell([b.indicativePrice === undefined ? '–' : num(b.indicativePrice), 'num']));
    return tr;
  })));
  const posBody = card.querySelector('[data-role=positions] tbody');
  posBody.replaceChildren(...(positions.parties.length === 0 ? [row([['no positions yet', 'empty'], '', '', ''])]
    : positions.parties.map((p) => row([`${p.partyID} (${time(positions.interval)})`, [`${num(p.net)} ${units}`, 'num'],
      [p.delivered === null ? '–' : `${num(p.delivered)} ${units}`, 'num'], [num(p.cost, 2), 'num']]))));
}

/** ISO 8601 duration (PTnHnMnS, PnD) in seconds, for the chart's margins. */
const seconds = (text) => {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text) ?? [];
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0);
};

function renderChart(host, rules, prices) {
  host.hidden = prices.length === 0;
  const data = [prices.map((p) => p.interval / 1000), prices.map((p) => p.price)];
  const existing = charts.get(rules.id);
  if (existing) return existing.setData(data);
  if (prices.length === 0) return undefined;
  const width = Math.max(300, host.clientWidth || 380);
  const margin = 2 * seconds(rules.granularity);
  charts.set(rules.id, new uPlot({
    width, height: 160, legend: { show: false }, cursor: { show: true },
    // Two intervals either side of the data: uPlot would stretch a single point over years.
    scales: { x: { time: true, range: (u) => [u.data[0][0] - margin, u.data[0].at(-1) + margin] } },
    axes: [{}, { label: rules.currency, size: 50 }],
    series: [{}, { label: 'price', stroke: '#1f6feb', width: 2, points: { show: true, size: 5 } }],
  }, data, host));
}

function render(snapshot) {
  $('#clock').textContent = `market time ${day(snapshot.now)} UTC`;
  for (const market of snapshot.markets) renderMarket(market);
  const ties = new Map(snapshot.markets.filter((m) => m.intertie).map((m) => [m.rules.id, m.intertie]));
  fill('#interties', snapshot.interties.map((i) => {
    const tie = ties.get(i.market);
    const congested = tie && i.flow !== undefined && (i.flow >= tie.importCapacity * (1 - tie.lossFactor) - 1e-9 || -i.flow >= tie.exportCapacity - 1e-9);
    return row([i.market, i.parent, [i.state + (i.reason ? `: ${i.reason}` : ''), `state-${i.state}`], [num(i.flow), 'num'],
      tie ? `${num(tie.importCapacity)} / ${num(tie.exportCapacity)}` : '–', congested ? ['congested', 'congested'] : (i.flow === undefined ? '–' : 'no'),
      [num(i.parentPrice), 'num'], [String(i.islandedIntervals ?? 0), 'num']]);
  }), 8);
  const names = new Map(snapshot.markets.map((m) => [m.rules.id, m.rules.name]));
  fill('#transactions', snapshot.transactions.map((t) => row([day(t.at), names.get(t.marketID) ?? t.marketID, time(t.interval), t.buyer, t.seller,
    [num(t.quantity), 'num'], [num(t.price), 'num']])), 7);
  fill('#events', snapshot.events.map((e) => row([day(e.interval), names.get(e.marketID) ?? e.marketID, e.venID, [num(e.price), 'num'], [String(e.level), 'num'],
    [num(e.dispatch), 'num'], e.status, e.optType ?? 'not answered', e.resourcesOptedOut.join(', ') || '–'])), 9);
  fill('#devices', snapshot.devices.map((d) => row([d.venID, d.resourceID, d.state === undefined ? '–' : `${STATES[d.state] ?? 'reserved'} (${d.state})`,
    d.online === undefined ? '–' : [d.online ? 'yes' : 'no', d.online ? 'yes' : 'no'], d.manualOverride ? ['override', 'congested'] : 'no',
    d.watts === undefined ? '–' : `${num(d.watts / 1000)} kW`, day(d.at)])), 7);
}

/** Reads the stream's events as they come; resolves when it ends. */
async function follow(token, signal) {
  const res = await fetch('/dashboard/stream', { headers: { authorization: `Bearer ${token}` }, signal });
  if (res.status === 401 || res.status === 403) throw Object.assign(new Error('this token is not an operator token'), { refused: true });
  if (!res.ok || !res.body) throw new Error(`the service answered ${res.status}`);
  $('#link').className = 'badge on';
  $('#link').textContent = 'live';
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      if (frame.startsWith('event: state') && data) render(JSON.parse(data));
    }
  }
}

async function open(token) {
  $('#login').hidden = true;
  $('#board').hidden = false;
  $('#logout').hidden = false;
  for (;;) {
    try {
      await follow(token, undefined);
    } catch (error) {
      if (error.refused) {
        sessionStorage.removeItem(TOKEN_KEY);
        $('#login-error').textContent = error.message;
        $('#login').hidden = false;
        $('#board').hidden = true;
        $('#logout').hidden = true;
        $('#link').className = 'badge off';
        $('#link').textContent = 'not connected';
        return;
      }
    }
    $('#link').className = 'badge wait';
    $('#link').textContent = 'reconnecting';
    await new Promise((r) => setTimeout(r, 2000));
  }
}

$('#login').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('#token').value.trim();
  sessionStorage.setItem(TOKEN_KEY, token);
  $('#login-error').textContent = '';
  void open(token);
});
$('#logout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
});
const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) void open(saved);
