/**
 * The OpenADR side of the operator's view (the dashboard's snapshot): the latest events with the
 * VENs' answers, the devices the VENs report on, and what each VEN delivered by its telemetry.
 */
import type { DeviceView, ProtocolReadings } from '../host/views.js';
import type { Store } from '../store/store.js';
import { deliveredByInterval } from './delivery.js';
import { eventStatus } from './event-model.js';
import { oadrCollections } from './records.js';
import type { TelemetryPoint } from './reports.js';

export async function oadrReadings(store: Store, now: number, recent: number): Promise<ProtocolReadings> {
  const telemetry = (await oadrCollections.telemetry.list(store)).map(([key, point]) => ({ venID: oadrCollections.telemetry.parts(key)[0]!, point }));
  // Each VEN's points once, not a scan of all telemetry per party and market.
  const byVen = new Map<string, TelemetryPoint[]>();
  for (const { venID, point } of telemetry) {
    const points = byVen.get(venID) ?? [];
    points.push(point);
    byVen.set(venID, points);
  }
  const events = (await oadrCollections.events.values(store))
    .sort((a, b) => b.dtstart - a.dtstart || a.venID.localeCompare(b.venID)).slice(0, recent);
  const opts = (await oadrCollections.opts.values(store)).filter((o) => o.optType === 'optOut' && o.eventID !== undefined);
  return {
    events: events.map((e) => ({
      venID: e.venID, eventID: e.eventID, marketID: e.marketID, interval: e.dtstart, price: e.price, level: e.level, dispatch: e.dispatch,
      status: eventStatus(e, now), optType: e.response?.modificationNumber === e.modificationNumber ? e.response.optType : null,
      resourcesOptedOut: opts.filter((o) => o.partyID === e.venID && o.eventID === e.eventID).flatMap((o) => o.resourceIDs),
    })),
    devices: devices(telemetry),
    delivered: (partyID, rules, interval) => deliveredByInterval(byVen.get(partyID) ?? [], rules).get(interval) ?? null,
  };
}

/** The latest readings of each device (a resource a VEN reports on), per VEN: state, status and power. */
function devices(telemetry: ReadonlyArray<{ venID: string; point: TelemetryPoint }>): DeviceView[] {
  const latest = new Map<string, { venID: string; resourceID: string; at: number; state?: number; online?: boolean; manualOverride?: boolean; watts?: number }>();
  for (const { venID, point } of telemetry) {
    if (point.resourceID === undefined) continue;
    const id = `${venID}/${point.resourceID}`;
    const device = latest.get(id) ?? { venID, resourceID: point.resourceID, at: point.dtstart };
    latest.set(id, device);
    device.at = Math.max(device.at, point.dtstart);
    // Points are listed oldest first per rID: the last one read is the latest.
    if (point.reportType === 'operatingState' && typeof point.value === 'number') device.state = point.value;
    else if (point.reportType === 'x-resourceStatus' && typeof point.value === 'object' && point.value !== null && !Array.isArray(point.value)) {
      const status = point.value as { online?: boolean; manualOverride?: boolean };
      if (status.online !== undefined) device.online = status.online;
      if (status.manualOverride !== undefined) device.manualOverride = status.manualOverride;
    } else if (point.watts !== undefined) device.watts = point.watts;
  }
  return [...latest.values()].sort((a, b) => a.venID.localeCompare(b.venID) || a.resourceID.localeCompare(b.resourceID));
}
