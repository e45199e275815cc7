// Replica counts per track role: pure step math, table-tested like argo-rollouts'
// replicaset/canary.go.
import type { Strategy, TrackRole } from "./strategy";

/**
 * How many pods a track runs. `base` is the stable size: `replicas`, or the HPA's
 * minReplicas when autoscaled.
 *
 *   stable     HPA-managed (undefined) when autoscaled, else base
 *   candidate  canary: ceil(base × weight / 100), at least 1 — base 3 at 5% → 1, at 50% → 2;
 *              blueGreen: base (the preview colour must be able to take all traffic)
 *   warm       base: the previous blueGreen colour, ready for an instant switch back
 *   idle       0
 */
export function trackReplicas(role: TrackRole, strategy: Strategy, weight: number, base: number, autoscaled: boolean): number | undefined {
    switch (role) {
        case "stable":
            return autoscaled ? undefined : base;
        case "candidate":
            return strategy === "canary" ? Math.max(1, Math.ceil((base * weight) / 100)) : base;
        case "warm":
            return base;
        case "idle":
            return 0;
    }
}
