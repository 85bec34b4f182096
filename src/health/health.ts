// What /healthz reports: the history store's and each instance's reachability.
export interface Reachability {
  ok: boolean;
  error?: string;
}

export interface HealthReport {
  status: "ok" | "degraded" | "down";
  store: Reachability;
  instances: Record<string, Reachability>;
}

export interface HealthProbes {
  store(): Promise<boolean>;
  instances(): Promise<Record<string, Reachability>>;
}

/** The store decides up or down; an unreachable instance only degrades. */
export async function checkHealth(probes: HealthProbes): Promise<HealthReport> {
  const [storeOk, instances] = await Promise.all([probes.store().catch(() => false), probes.instances()]);
  const store: Reachability = storeOk ? { ok: true } : { ok: false, error: "history store is not reachable" };
  const allInstancesOk = Object.values(instances).every((instance) => instance.ok);
  return { status: !storeOk ? "down" : allInstancesOk ? "ok" : "degraded", store, instances };
}
