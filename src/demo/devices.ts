/**
 * The demo's flexible devices as simple physical models, each with the demand curve it bids (kW at
 * each price step of a curve market, positive consuming) and a step that applies the power it
 * was allocated. Pure: time and prices are passed in.
 */
import { priceOfStep, type PriceGrid } from '../terms/curve.js';

/** A demand curve from a rule for each price. */
export function curveOf(grid: PriceGrid, demand: (price: number) => number): Float64Array {
  return Float64Array.from({ length: grid.steps }, (_, i) => demand(priceOfStep(grid, i)));
}

/**
 * An air conditioner (3 kW electric, COP 3) cooling a house (2.5 kWh/K, losing 0.25 kW/K to
 * outside). Its bid: run at any price up to what the indoor temperature is worth: 0.05 EUR/kWh at
 * 22 °C, 0.65 at 26 °C, any price above 26 °C and none below 21.5 °C, so it pre-cools when power
 * is cheap and coasts when it is dear.
 */
export class Thermostat {
  readonly electricKw = 3;
  constructor(public indoorC = 24, readonly cop = 3, readonly capacityKwhPerK = 2.5, readonly uaKwPerK = 0.25) {}

  willingToPay(): number {
    if (this.indoorC >= 26) return Number.POSITIVE_INFINITY;
    if (this.indoorC <= 21.5) return Number.NEGATIVE_INFINITY;
    return 0.05 + ((this.indoorC - 22) / 4) * 0.6;
  }

  bid(grid: PriceGrid): Float64Array {
    const limit = this.willingToPay();
    return curveOf(grid, (price) => (price <= limit ? this.electricKw : 0));
  }

  step(hours: number, outdoorC: number, electricKw: number): void {
    this.indoorC += ((this.uaKwPerK * (outdoorC - this.indoorC) - this.cop * electricKw) / this.capacityKwhPerK) * hours;
  }
}

/** The same air conditioner on a plain thermostat (the baseline): cools above 24.5 °C until 23.5 °C. */
export class PlainThermostat extends Thermostat {
  #on = false;
  power(): number {
    if (this.indoorC > 24.5) this.#on = true;
    if (this.indoorC < 23.5) this.#on = false;
    return this.#on ? this.electricKw : 0;
  }
}

/**
 * A home battery (10 kWh, 5 kW, 95 % each way): charges when power costs 0.10 or less, discharges
 * from 0.30, keeping 10 % to 95 % charged.
 */
export class Battery {
  constructor(public storedKwh = 5, readonly capacityKwh = 10, readonly powerKw = 5, readonly efficiency = 0.95) {}

  bid(grid: PriceGrid, hours: number): Float64Array {
    const charge = Math.max(0, Math.min(this.powerKw, (this.capacityKwh * 0.95 - this.storedKwh) / hours / this.efficiency));
    const discharge = Math.max(0, Math.min(this.powerKw, ((this.storedKwh - this.capacityKwh * 0.1) * this.efficiency) / hours));
    return curveOf(grid, (price) => (price <= 0.1 ? charge : price >= 0.3 ? -discharge : 0));
  }

  step(hours: number, kw: number): void {
    this.storedKwh += kw > 0 ? kw * hours * this.efficiency : (kw * hours) / this.efficiency;
  }
}

/**
 * An EV on an 11 kW charger: home from 17:30 to 08:00 needing 20 kWh by 07:30. It pays more the
 * less time it has left: 0.15 EUR/kWh with plenty of time, rising to 0.50 as the time left shrinks to
 * what charging takes, and any price when it must charge now.
 */
export class Ev {
  constructor(public neededKwh = 0, readonly chargerKw = 11) {}

  bid(grid: PriceGrid, hours: number, hoursLeft: number): Float64Array {
    if (this.neededKwh <= 1e-9 || hoursLeft <= 0) return curveOf(grid, () => 0);
    const kw = Math.min(this.chargerKw, this.neededKwh / hours);
    const urgency = Math.min(1, this.neededKwh / this.chargerKw / hoursLeft);
    const limit = urgency >= 0.999 ? Number.POSITIVE_INFINITY : 0.15 + 0.35 * urgency;
    return curveOf(grid, (price) => (price <= limit ? kw : 0));
  }

  step(hours: number, kw: number): void {
    this.neededKwh = Math.max(0, this.neededKwh - kw * hours);
  }
}
