// The release record: the dynamic resource that holds the release state in Pulumi state.
// Its provider (provider.ts) runs the state machine in `check`, so a preview shows the
// next state and an illegal edit fails the preview.
import * as pulumi from "@pulumi/pulumi";
import { CachedDynamicResource } from "./dynamic";
import { engineReleaseProvider } from "./provider";
import type { ReleaseState, Track, TrackRole } from "./strategy";

import { RELEASE_RECORD_NAME } from "./token";
export { RELEASE_RECORD_TYPE } from "./token";

/**
 * What the tracks and the routing read of the record: the planned state (provider.ts's
 * plannedState: what check returned, never the volatile facts only apply knows), the
 * track roles and the images the tracks run.
 */
export interface RecordView {
    state: pulumi.Output<ReleaseState>;
    roles: pulumi.Output<Record<Track, TrackRole>>;
    trackImages: pulumi.Output<Record<Track, string | undefined>>;
}

/** The dynamic resource holding the release state in Pulumi state. */
export class ReleaseRecord extends CachedDynamicResource {
    declare public readonly state: pulumi.Output<ReleaseState>;
    declare public readonly trackImages: pulumi.Output<Record<Track, string | undefined>>;
    declare public readonly roles: pulumi.Output<Record<Track, TrackRole>>;
    declare public readonly status: pulumi.Output<string>;
    declare public readonly lastTransition: pulumi.Output<string>;

    constructor(name: string, args: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(engineReleaseProvider, name, {
            ...args, state: undefined, trackImages: undefined, roles: undefined, status: undefined, lastTransition: undefined,
        }, opts, RELEASE_RECORD_NAME.module, RELEASE_RECORD_NAME.type);
    }
}
