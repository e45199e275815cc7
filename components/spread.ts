// Pod topology spread for one track (pure: no Pulumi resources). Each track spreads its
// own pods, selected by the track's selector, so a canary's one or two pods land on
// different nodes as well as the stable track's ten.
import type * as k8s from "@pulumi/kubernetes";
import type { SpreadConfig } from "./config/placement";

type Constraint = k8s.types.input.core.v1.TopologySpreadConstraint;

export const HOSTNAME_KEY = "kubernetes.io/hostname";
export const ZONE_KEY = "topology.kubernetes.io/zone";

/**
 * The topologySpreadConstraints of a track's pods: one per enabled topology (nodes, then
 * zones). Two fields matter beyond the obvious:
 * - `matchLabelKeys: [pod-template-hash]` counts only the pods of the same rollout, so the
 *   old ReplicaSet's pods (about to go) do not skew where the new ones land;
 * - `nodeTaintsPolicy: Honor` leaves out nodes the pods cannot run on (e.g. tainted
 *   control-plane nodes); with the default (Ignore) such a node counts as an empty domain
 *   and DoNotSchedule would allow only one pod per node.
 */
export function topologySpread(selector: Record<string, string>, spread: SpreadConfig): Constraint[] {
    const out: Constraint[] = [];
    const add = (topologyKey: string, mode: SpreadConfig["nodes"]) => {
        if (mode === "off") return;
        out.push({
            topologyKey,
            whenUnsatisfiable: mode,
            maxSkew: spread.maxSkew,
            labelSelector: { matchLabels: { ...selector } },
            matchLabelKeys: ["pod-template-hash"],
            nodeTaintsPolicy: "Honor",
        });
    };
    add(HOSTNAME_KEY, spread.nodes);
    add(ZONE_KEY, spread.zones);
    return out;
}
