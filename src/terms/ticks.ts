/** Converts between values and whole numbers of ticks, so that books compare integers exactly. */
export class Ticks {
  /** Decimal places that write any multiple of the tick exactly. */
  readonly decimals: number;

  constructor(readonly tick: number) {
    // Enough decimals to write any multiple of the tick exactly (0.001 → 3, 0.25 → 2, 5 → 0).
    let decimals = 0;
    while (decimals < 12 && Math.abs(Math.round(tick * 10 ** decimals) - tick * 10 ** decimals) > 1e-9) decimals++;
    this.decimals = decimals;
  }

  /** The whole number of ticks in `value`, or undefined when it is not on a tick (relative tolerance 1e-9). */
  of(value: number): number | undefined {
    const ratio = value / this.tick;
    const whole = Math.round(ratio);
    return Math.abs(ratio - whole) <= 1e-9 * Math.max(1, Math.abs(ratio)) ? whole : undefined;
  }

  value(ticks: number): number {
    return Number((ticks * this.tick).toFixed(this.decimals));
  }
}
