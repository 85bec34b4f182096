// What /healthz reports: the history store's and each instance's reachability, by name only, from a cached probe.
// The endpoint is unauthenticated: it must cost the databases next to nothing, and say nothing an attacker could use
// (hosts, ports, accounts, server messages go to the log, see instance-probe.ts).

export type InstanceHealth = "ok" | "degraded";

export interface HealthReport {
  status: "ok" | "degraded" | "down";
  store: "ok" | "down";
  instances: Record<string, InstanceHealth>;
}

export interface HealthProbes {
  store(): Promise<boolean>;
  /** Whether each instance answered, by instance name. */
  instances(): Promise<Record<string, boolean>>;
}

/** The store decides up or down; an unreachable instance only degrades. */
function reportOf(storeOk: boolean, reachable: Record<string, boolean>): HealthReport {
  const instances = Object.fromEntries(Object.entries(reachable).map(([name, ok]): [string, InstanceHealth] => [name, ok ? "ok" : "degraded"]));
  const allInstancesOk = Object.values(reachable).every(Boolean);
  return { status: !storeOk ? "down" : allInstancesOk ? "ok" : "degraded", store: storeOk ? "ok" : "down", instances };
}

/**
 * Answers from the latest probe while it is younger than `maxAgeMs` (sluice.yml's health.probeIntervalSeconds);
 * after that, the first request starts one probe and every request arriving meanwhile waits for that same probe
 * (single flight), so however often /healthz is asked, each instance is probed at most once per `maxAgeMs`.
 */
export class HealthCheck {
  private latest?: { report: HealthReport; at: number };
  private probing?: Promise<HealthReport>;

  constructor(
    private readonly probes: HealthProbes,
    private readonly maxAgeMs: number,
  ) {}

  report(): Promise<HealthReport> {
    if (this.latest && Date.now() - this.latest.at < this.maxAgeMs) return Promise.resolve(this.latest.report);
    this.probing ??= this.probe().finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async probe(): Promise<HealthReport> {
    const [storeOk, instances] = await Promise.all([this.probes.store().catch(() => false), this.probes.instances()]);
    const report = reportOf(storeOk, instances);
    this.latest = { report, at: Date.now() };
    return report;
  }
}
