// The release record: the resource that holds the release state in Pulumi state. Its
// provider (provider.ts) runs the state machine in `check`, so a preview shows the next
// state and an illegal edit fails the preview. In a Node.js program it is a dynamic resource;
// inside goship's component provider (programs in other languages) the plugin serves it as
// its own custom resource, with the same provider functions.
import * as pulumi from "@pulumi/pulumi";
import { CachedDynamicResource } from "./dynamic";
import { engineReleaseProvider } from "./provider";
import type { ReleaseState, Track, TrackRole } from "./strategy";

import { PLUGIN_RELEASE_RECORD_TYPE, RELEASE_RECORD_NAME } from "./token";
export { PLUGIN_RELEASE_RECORD_TYPE, RELEASE_RECORD_TYPE } from "./token";

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

/** The record's outputs, whichever provider serves it. */
export interface RecordOutputs {
    readonly state: pulumi.Output<ReleaseState>;
    readonly trackImages: pulumi.Output<Record<Track, string | undefined>>;
    readonly roles: pulumi.Output<Record<Track, TrackRole>>;
    readonly status: pulumi.Output<string>;
    readonly lastTransition: pulumi.Output<string>;
}

/** The record's properties as registered: the inputs, and every output the provider fills in. */
function recordProps(args: pulumi.Inputs): pulumi.Inputs {
    return { ...args, state: undefined, trackImages: undefined, roles: undefined, status: undefined, lastTransition: undefined };
}

// The SDK sets the outputs from the registered properties (recordProps); each class takes
// their types by merging RecordOutputs in, so the two record classes declare them once.
/** The dynamic resource holding the release state in Pulumi state (a Node.js program). */
export interface ReleaseRecord extends RecordOutputs {}
export class ReleaseRecord extends CachedDynamicResource {
    constructor(name: string, args: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(engineReleaseProvider, name, recordProps(args), opts, RELEASE_RECORD_NAME.module, RELEASE_RECORD_NAME.type);
    }
}

/**
 * The record as a custom resource of the goship plugin (`goship:index:ReleaseRecord`), whose
 * provider (provider/provider.ts) runs the same functions as the dynamic one. Registered with
 * no provider: the engine gives it the default provider of package `goship`, the plugin that
 * is constructing the Release.
 */
export interface PluginReleaseRecord extends RecordOutputs {}
export class PluginReleaseRecord extends pulumi.CustomResource {
    constructor(name: string, args: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(PLUGIN_RELEASE_RECORD_TYPE, name, recordProps(args), opts);
    }
}

let pluginServesRecords = false;

/**
 * Called by goship's component provider before it serves: from then on every Release in this
 * process keeps its state in a PluginReleaseRecord. A program in another language has no
 * Node.js packages in its directory, where the engine would start the dynamic-provider host.
 */
export function servePluginReleaseRecords(on = true): void {
    pluginServesRecords = on;
}

/** The release record of this process: dynamic in a Node.js program, the plugin's own inside the plugin. */
export function newReleaseRecord(name: string, args: pulumi.Inputs, opts?: pulumi.CustomResourceOptions): ReleaseRecord | PluginReleaseRecord {
    return pluginServesRecords ? new PluginReleaseRecord(name, args, opts) : new ReleaseRecord(name, args, opts);
}
