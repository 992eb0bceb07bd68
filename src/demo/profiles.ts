/**
 * The demo's day: a sunny summer day in the home and on the feeder. Hours are of the market's day
 * (UTC). Shapes, not measurements: chosen so the day has a midday solar surplus, a hot afternoon and
 * an evening peak.
 */
const HOUR = 3_600_000;
const hourOf = (t: number) => (t % (24 * HOUR)) / HOUR;
const sun = (h: number) => (h > 6 && h < 20 ? Math.sin((Math.PI * (h - 6)) / 14) ** 1.3 : 0);

export const profiles = {
  /** Rooftop PV, kW (8 kWp). */
  homePv: (t: number) => 8 * sun(hourOf(t)),
  /** The feeder's solar farm, kW (60 kWp). */
  farmPv: (t: number) => 60 * sun(hourOf(t)),
  /** Outdoor temperature, °C: 20 at 03:00, 31 at 15:00. */
  outdoorC: (t: number) => 25.5 + 5.5 * Math.sin((2 * Math.PI * (hourOf(t) - 9)) / 24),
  /** The household's other loads, kW. */
  baseKw(t: number): number {
    const h = hourOf(t);
    return h >= 18 && h < 22 ? 1.5 : h >= 7 && h < 9 ? 0.8 : h >= 9 && h < 18 ? 0.5 : 0.4;
  },
  /** Hot water drawn in the minute starting at `t`, litres: a shower at 07:00, dishes at 19:00 and 21:00. */
  drawLitres(t: number): number {
    const h = hourOf(t);
    return (h >= 7 && h < 7 + 10 / 60) ? 4 : (h >= 19 && h < 19 + 5 / 60) || (h >= 21 && h < 21 + 5 / 60) ? 5 : 0;
  },
  /** The grid supplier's tariff on the feeder, EUR/kWh: evening peak 17:00-21:00. */
  tariff(t: number): number {
    const h = hourOf(t);
    return h >= 17 && h < 21 ? 0.40 : h >= 7 && h < 17 ? 0.30 : 0.22;
  },
  /** What the grid pays for energy it takes from the feeder, EUR/kWh. */
  exportPrice: 0.04,
  /** The EV is away from 08:00 to 17:30. */
  evHome: (t: number) => { const h = hourOf(t); return h < 8 || h >= 17.5; },
  /** Energy the EV needs when it comes home, kWh. */
  evNeedKwh: 20,
  /** What it still needs at midnight (charging from last night), kWh. */
  evNeedAtMidnightKwh: 12,
};
