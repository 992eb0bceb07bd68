/**
 * The demo's numbers, from what the markets recorded (each party's trades, the intertie's flows)
 * and what the device models did: energy traded locally and through the intertie, the balance of
 * both markets, the home's peak against a baseline without the market, and each participant's cost.
 */
export interface IntervalRecord {
  readonly interval: number;
  readonly homePrice: number | null;
  readonly feederPrice: number | null;
  /** Mean power in the interval, kW, positive consuming: PV is negative, the battery negative when discharging. */
  readonly loads: { readonly pv: number; readonly base: number; readonly ac: number; readonly battery: number; readonly ev: number; readonly waterHeater: number };
  /** The home's net load, kW: what its connection carried. */
  readonly net: number;
  /** The same home without the market (plain thermostat, water heater on its own, EV charging at once, no battery). */
  readonly baselineNet: number;
  readonly heaterC: number;
  readonly indoorC: number;
  /** The intertie's flow into the home market, kW (negative: exported), as the intertie recorded it. */
  flow: number;
}

export interface PartyTrades {
  readonly partyID: string;
  readonly market: string;
  readonly trades: ReadonlyArray<{ interval: number; side: 'buy' | 'sell'; quantity: number; price: number }>;
}

export interface Summary {
  readonly intervals: number;
  /** Energy the home's own parties bought and sold in the home market, kWh (not the intertie or the market account). */
  readonly homeBoughtKwh: number;
  readonly homeSoldKwh: number;
  /** Energy one home party sold to another: per interval the smaller of the two. */
  readonly localKwh: number;
  /** Through the intertie, at the home's side. */
  readonly importedKwh: number;
  readonly exportedKwh: number;
  /** What the home bought and sold in the feeder, and what the line lost between the two. */
  readonly feederBoughtKwh: number;
  readonly feederSoldKwh: number;
  readonly lossesKwh: number;
  /** Per interval, the home's parties' net less the flow in and the market account's balancing: the largest (0 when every kWh is accounted for). */
  readonly homeBalanceErrorKwh: number;
  /** Per interval, what crossed at the home's side against the feeder's side less losses: the largest. */
  readonly intertieErrorKwh: number;
  /** The market accounts' balancing energy (nearest-step allocation), kWh. */
  readonly accountKwh: { readonly home: number; readonly feeder: number };
  readonly peakKw: number;
  readonly baselinePeakKw: number;
  /** What each participant paid (negative: earned), EUR. */
  readonly costs: ReadonlyArray<{ partyID: string; market: string; eur: number; netKwh: number }>;
}

interface Options { readonly hours: number; readonly lossFactor: number; readonly home: string; readonly feeder: string; readonly homeParty: string }

const ACCOUNTS = /^(market|intertie):/;

export function summarize(records: readonly IntervalRecord[], parties: readonly PartyTrades[], options: Options): Summary {
  const { hours } = options;
  const perInterval = (select: (p: PartyTrades) => boolean, side?: 'buy' | 'sell') => {
    const out = new Map<number, number>();
    for (const p of parties.filter(select)) {
      for (const t of p.trades) {
        if (side && t.side !== side) continue;
        out.set(t.interval, (out.get(t.interval) ?? 0) + (side ? t.quantity : (t.side === 'buy' ? t.quantity : -t.quantity)));
      }
    }
    return out;
  };
  const inHome = (p: PartyTrades) => p.market === options.home && !ACCOUNTS.test(p.partyID);
  const bought = perInterval(inHome, 'buy');
  const sold = perInterval(inHome, 'sell');
  const account = perInterval((p) => p.market === options.home && p.partyID.startsWith('market:'));
  const feederAccount = perInterval((p) => p.market === options.feeder && p.partyID.startsWith('market:'));
  const absolute = (m: Map<number, number>) => [...m.values()].reduce((a, v) => a + Math.abs(v), 0) * hours;
  const tieHome = perInterval((p) => p.market === options.home && p.partyID.startsWith('intertie:'));
  const feederBought = perInterval((p) => p.market === options.feeder && p.partyID === options.homeParty, 'buy');
  const feederSold = perInterval((p) => p.market === options.feeder && p.partyID === options.homeParty, 'sell');
  const sum = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0) * hours;
  let homeBalance = 0;
  let intertie = 0;
  let local = 0;
  for (const r of records) {
    const b = bought.get(r.interval) ?? 0;
    const s = sold.get(r.interval) ?? 0;
    local += Math.min(b, s) * hours;
    // The intertie account sells the flow into the home (its net is minus the flow); the market account balances the rest.
    homeBalance = Math.max(homeBalance, Math.abs(b - s + (tieHome.get(r.interval) ?? 0) + (account.get(r.interval) ?? 0)) * hours);
    const crossedAtFeeder = (feederBought.get(r.interval) ?? 0) * (1 - options.lossFactor) - (feederSold.get(r.interval) ?? 0) / (1 - options.lossFactor);
    intertie = Math.max(intertie, Math.abs(crossedAtFeeder - r.flow) * hours);
  }
  const imported = records.reduce((a, r) => a + Math.max(0, r.flow), 0) * hours;
  const exported = records.reduce((a, r) => a + Math.max(0, -r.flow), 0) * hours;
  return {
    intervals: records.length,
    homeBoughtKwh: sum(bought), homeSoldKwh: sum(sold), localKwh: local,
    importedKwh: imported, exportedKwh: exported,
    feederBoughtKwh: sum(feederBought), feederSoldKwh: sum(feederSold),
    lossesKwh: sum(feederBought) - imported + exported - sum(feederSold),
    homeBalanceErrorKwh: homeBalance, intertieErrorKwh: intertie,
    accountKwh: { home: absolute(account), feeder: absolute(feederAccount) },
    peakKw: Math.max(0, ...records.map((r) => r.net)), baselinePeakKw: Math.max(0, ...records.map((r) => r.baselineNet)),
    costs: parties.filter((p) => !ACCOUNTS.test(p.partyID)).map((p) => ({
      partyID: p.partyID, market: p.market,
      eur: p.trades.reduce((a, t) => a + (t.side === 'buy' ? 1 : -1) * t.quantity * t.price * hours, 0),
      netKwh: p.trades.reduce((a, t) => a + (t.side === 'buy' ? 1 : -1) * t.quantity * hours, 0),
    })),
  };
}

const kwh = (x: number) => `${x.toFixed(2)} kWh`;

/** The summary as the demo prints it. */
export function formatSummary(s: Summary): string {
  const reduction = s.baselinePeakKw - s.peakKw;
  return [
    `Intervals run: ${s.intervals} of 15 minutes`,
    `Home market: its parties bought ${kwh(s.homeBoughtKwh)} and sold ${kwh(s.homeSoldKwh)}; ${kwh(s.localKwh)} of it was traded locally, home to home`,
    `Through the intertie: ${kwh(s.importedKwh)} in, ${kwh(s.exportedKwh)} out (the home bought ${kwh(s.feederBoughtKwh)} and sold ${kwh(s.feederSoldKwh)} in the feeder; ${kwh(s.lossesKwh)} lost on the line)`,
    `Balance: largest error per interval ${s.homeBalanceErrorKwh.toFixed(6)} kWh in the home, ${s.intertieErrorKwh.toFixed(6)} kWh across the intertie; the market accounts balanced ${kwh(s.accountKwh.home)} in the home, ${kwh(s.accountKwh.feeder)} in the feeder (nearest-step allocation)`,
    `Peak import: ${s.peakKw.toFixed(2)} kW with the market, ${s.baselinePeakKw.toFixed(2)} kW without (${reduction >= 0 ? `${reduction.toFixed(2)} kW lower` : `${(-reduction).toFixed(2)} kW higher`})`,
    'Cost per participant (EUR; negative: earned):',
    ...s.costs.map((c) => `  ${c.partyID.padEnd(12)} ${c.market.replace('urn:micromarket:', '').padEnd(12)} ${c.eur.toFixed(2).padStart(8)}   (${c.netKwh.toFixed(2)} kWh net)`),
  ].join('\n');
}
