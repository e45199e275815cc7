// The two tracks of a release (blue and green): each a GoWorkload sized, imaged and
// labelled from the release record, so every step updates the same two Deployments.
import * as pulumi from "@pulumi/pulumi";
import type { AutoscalingConfig } from "../autoscaler";
import { settledValue } from "../settled";
import { GoWorkload, GoWorkloadArgs } from "../workload";
import { LIVE_REPLICAS_ANNOTATION, liveReplicas } from "./live";
import type { RecordView } from "./record";
import { trackReplicas } from "./replicas";
import type { Track, TrackRole } from "./strategy";

export const TRACKS: Track[] = ["blue", "green"];

/** What a track waits for: the routing objects when it is idle (leaving service), else nothing. */
async function leavingService(role: pulumi.Output<TrackRole>, routing: pulumi.Output<pulumi.Resource[]>): Promise<pulumi.Resource[]> {
    return (await settledValue(role, undefined)) === "idle" ? settledValue(routing, []) : [];
}

/** The per-track Deployment settings shared by both tracks. */
export type TrackTemplate = Omit<GoWorkloadArgs, "appName" | "track" | "role" | "image" | "version" | "replicas" | "namespace">;

export interface TracksArgs {
    appName: string;
    namespace: pulumi.Input<string>;
    /** Repository of the app image, for tracks whose image is not recorded in the release. */
    imageRepository: string;
    /** Stable size when not autoscaled. */
    replicas: number;
    autoscaling?: AutoscalingConfig;
    track: TrackTemplate;
}

/**
 * Creates both tracks. `routing` resolves to the objects that route traffic (the main
 * Service and the router's objects), created after the tracks because they wait for them.
 */
export function createTracks(parent: pulumi.Resource, args: TracksArgs, release: RecordView,
    routing: pulumi.Output<pulumi.Resource[]>): Record<Track, GoWorkload> {
    const app = args.appName;
    const autoscaled = args.autoscaling?.enabled ?? false;
    const base = autoscaled ? args.autoscaling!.minReplicas : args.replicas;
    // Under an HPA, size from what the tracks run now (see live.ts); the first deploy
    // (a single history entry) has nothing to read yet.
    const live = autoscaled
        ? liveReplicas(parent, app, args.namespace, release.state.apply((st) => st.history.length > 1))
        : pulumi.output<number | undefined>(undefined);

    const tracks = {} as Record<Track, GoWorkload>;
    for (const t of TRACKS) {
        const role = release.roles.apply((r: Record<Track, TrackRole>) => r[t]);
        const version = release.state.apply((st) => st.trackVersions[t] ?? st.stableVersion);
        tracks[t] = new GoWorkload(`${app}-${t}`, {
            ...args.track,
            appName: app,
            track: t,
            role,
            namespace: args.namespace,
            // A track that never ran a version idles at 0 replicas with the stable image
            // (pinned like it); the version's tag is the last resort.
            image: pulumi.all([release.trackImages, release.state, version]).apply(([images, st, v]) =>
                images?.[t] ?? images?.[st.stableTrack] ?? `${args.imageRepository}:${v}`),
            version,
            replicas: pulumi.all([role, release.state, live]).apply(([r, st, l]) =>
                trackReplicas(r, st.strategy, st.weight, base, autoscaled, l)) as pulumi.Output<number>,
            // Tells the hpa-target policy that the pinned count is the HPA's own (read live).
            deploymentAnnotations: live.apply((l): Record<string, string> => (l === undefined ? {} : { [LIVE_REPLICAS_ANNOTATION]: "live" })),
        }, {
            parent,
            // A track leaving service (idle) scales down only after traffic has moved away
            // from it: it waits for the main Service and the router's objects. An unknown
            // role (a preview) means no dependency. Settled values, not the Outputs: an
            // Output would also add its own resource, the release record, to the track's
            // Service and PDB, which never read it (see settledValue).
            dependsOn: leavingService(role, routing),
        });
    }
    return tracks;
}
