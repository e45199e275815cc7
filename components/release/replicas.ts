// Replica counts per track role: pure step math, table-tested like argo-rollouts'
// replicaset/canary.go.
import type { Strategy, TrackRole } from "./strategy";

/**
 * How many pods a track runs. `base` is the configured stable size: `replicas`, or the
 * HPA's minReplicas when autoscaled. `live` is what the serving tracks run now (read from
 * the cluster at preview, see release.ts); under an HPA that is the load's size, so the
 * full size is max(base, live), never the HPA's floor.
 *
 *   stable     autoscaled: the full size when `live` is known (the count the HPA chose, so
 *              `pulumi up` writes what the HPA already has), else undefined (HPA-managed);
 *              not autoscaled: base
 *   candidate  canary: ceil(full × weight / 100), at least 1 — full 10 at 5% → 1, at 50% → 5;
 *              blueGreen: full (the preview colour must be able to take all traffic)
 *   warm       full: the previous blueGreen colour, ready for an instant switch back
 *   idle       0
 *
 * At a promotion the candidate's track turns stable in the same update, so it is given the
 * full size explicitly and the main Service (which waits for it to be Ready) moves only then.
 */
export function trackReplicas(role: TrackRole, strategy: Strategy, weight: number, base: number, autoscaled: boolean, live?: number): number | undefined {
    const full = autoscaled ? Math.max(base, live ?? 0) : base;
    switch (role) {
        case "stable":
            return autoscaled ? (live === undefined ? undefined : full) : base;
        case "candidate":
            return strategy === "canary" ? Math.max(1, Math.ceil((full * weight) / 100)) : full;
        case "warm":
            return full;
        case "idle":
            return 0;
    }
}
