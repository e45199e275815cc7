// What the tracks run now, read from the cluster, so that under an HPA the candidate and
// the promotion are sized for the load rather than for the HPA's floor.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Track } from "./strategy";

const TRACKS: Track[] = ["blue", "green"];

/**
 * The largest `spec.replicas` of the two track Deployments (the HPA writes it there; an
 * idle track has 0, a candidate never more than the stable track), or undefined when not
 * read. Why a read in the program:
 * - `Deployment.get` is a read step that the engine runs in `pulumi preview` as well, so
 *   the preview shows the size each track will get, and the same code runs under mocks;
 * - letting the candidate autoscale on its own only reacts after a weight shift has
 *   overloaded it, and cannot promise the promotion size before the main Service moves;
 * - the release provider is closure-serialized and holds no cluster credentials.
 * A `get` of a missing object fails the update, so it runs only when `read` is true: once
 * the release has an update after its first deploy, both track Deployments exist.
 */
/** Annotation on a track Deployment whose replicas are the live count read at preview. */
export const LIVE_REPLICAS_ANNOTATION = "goship.dev/replicas-source";

export function liveReplicas(parent: pulumi.Resource, app: string, namespace: pulumi.Input<string>, read: pulumi.Input<boolean>): pulumi.Output<number | undefined> {
    return pulumi.all([read, namespace]).apply(([yes, ns]) => {
        if (!yes) return pulumi.output<number | undefined>(undefined);
        const counts = TRACKS.map((t) => k8s.apps.v1.Deployment.get(`${app}-${t}-live`, `${ns}/${app}-${t}`, { parent }).spec.replicas);
        // An empty read (the offline renderer has no cluster) is no information.
        return pulumi.all(counts).apply((cs) => (cs.every((c) => c === undefined) ? undefined : Math.max(0, ...cs.map((c) => c ?? 0))));
    });
}
