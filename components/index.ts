// goship's reusable components, exported by name (no `export *`), so another Pulumi
// program can `import { GoWorkload } from "goship/components"`.
export { GoImage, GoImageArgs } from "./image";
export { AppNamespace, AppNamespaceArgs } from "./namespace";
export { AppConfig, AppConfigArgs, checksum } from "./app-config";
export { GoWorkload, GoWorkloadArgs, appLabels, trackSelector } from "./workload";
export { Autoscaler, AutoscalerArgs } from "./autoscaler";
export { IngressNginx, IngressNginxArgs } from "./ingress-nginx";
export { loadConfig, LoadedConfig } from "./config/load";
export { parseConfig, GoshipConfig } from "./config/schema";
export { ConfigError } from "./config/validate";
export { Release, ReleaseArgs, TrackTemplate } from "./release/release";
export { Router, RouteRequest, RouteObject, RouterConfig } from "./release/router";
export { routerFor } from "./release/routers";
export { imagePullPolicy, PullPolicy, ContainerTimings, terminationGracePeriodSeconds } from "./pod-spec";
export { resourceRequirements } from "./resources";
export { topologySpread } from "./spread";
export { egressPolicies, EgressPolicy } from "./egress";
export { SpreadConfig, EgressConfig, EgressRule, EgressPeer } from "./config/placement";
export { Observability, ObservabilityArgs, dashboard, alertRules, otelEnv } from "./observability";
