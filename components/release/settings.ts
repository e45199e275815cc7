// What a release is asked to do (`goship:release`), as the Release component and the
// release provider read it. The config parser (components/config/release.ts) produces it.
import type { GatewayApiRouterConfig } from "./router";
import type { AnalysisConfig } from "./analysis";
import type { ReleaseConfig } from "./strategy";

export interface MatchConfig {
    header?: string;
    headerValue?: string;
    headerPattern?: string;
    cookie?: string;
    /** Step indices at which header/cookie routing is on; all steps when absent. */
    steps?: number[];
}

/** `goship:release.gatewayApi`: the route's Gateway and hostnames, and who may reach the pods. */
export interface GatewayApiConfig extends Omit<GatewayApiRouterConfig, "kind"> {
    /** Namespace of the Gateway's data-plane pods, let through the app's NetworkPolicy. */
    dataPlaneNamespace: string;
}

export interface ReleaseSettings {
    /** How traffic reaches the tracks: ingress-nginx Ingresses or a Gateway API HTTPRoute. */
    router: "nginx" | "gatewayApi";
    /** Set exactly when router is gatewayApi. */
    gatewayApi?: GatewayApiConfig;
    strategy: "canary" | "blueGreen";
    steps: number[];
    step: number;
    abort: boolean;
    match?: MatchConfig;
    scaleDownDelaySeconds: number;
    /** How long one `up` waits for a track's new pods to be Ready; then it fails and traffic stays. */
    rolloutTimeoutSeconds: number;
    analysis?: AnalysisConfig;
}

/** What the state machine decides on (its ReleaseConfig): the version and the settings that move a release. */
export function releaseConfig(version: string, s: ReleaseSettings): ReleaseConfig {
    return {
        version, strategy: s.strategy, steps: s.steps, step: s.step, abort: s.abort, scaleDownDelaySeconds: s.scaleDownDelaySeconds,
        // Only when configured: the inputs (and state) of a stack without a match keep their shape.
        ...(s.match ? { match: s.match } : {}),
    };
}
