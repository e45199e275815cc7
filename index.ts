// The goship program: the composition root. Config is read once, validated as a whole
// (bad config stops here, before any resource is registered), then passed to components.
import * as pulumi from "@pulumi/pulumi";
import {
    AppConfig, AppNamespace, GoImage, IngressNginx, Release, appLabels, imagePullPolicy, loadConfig, resourceRequirements,
    terminationGracePeriodSeconds,
} from "./components";
import { Observability, otelEnv } from "./components/observability";

const cfg = loadConfig();
const labels = appLabels(cfg.appName);

const nginx = cfg.ingressNginx.install
    ? new IngressNginx("ingress-nginx", {
        namespace: cfg.ingressNginx.namespace,
        chartVersion: cfg.ingressNginx.chartVersion,
        replicas: cfg.ingressNginx.replicas,
        className: cfg.ingress.className,
    })
    : undefined;

const ns = new AppNamespace(cfg.appName, {
    name: cfg.namespace,
    podSecurityLevel: cfg.podSecurityLevel,
    labels,
    quota: cfg.quota,
    defaultRequests: cfg.resources.requests,
    defaultLimits: cfg.resources.limits,
    // Who may reach the pods: the ingress controller's namespace, or the Gateway's data plane.
    ingressControllerNamespace: cfg.release.router === "gatewayApi"
        ? cfg.release.gatewayApi!.dataPlaneNamespace
        : nginx ? nginx.namespace : cfg.ingressNginx.namespace,
    appPort: cfg.app.port,
    egress: cfg.egress,
    appPodLabels: { "app.kubernetes.io/name": cfg.appName },
});

const image = new GoImage(cfg.appName, {
    repository: cfg.image.repository,
    version: cfg.version,
    commit: cfg.commit,
    context: cfg.image.context,
    platform: cfg.image.platform,
    push: cfg.image.push,
    registry: cfg.image.push && cfg.registryPassword
        ? {
            server: cfg.image.registryServer ?? cfg.image.repository.split("/")[0],
            username: cfg.image.registryUsername ?? "",
            password: cfg.registryPassword,
        }
        : undefined,
});

const appConfig = new AppConfig(cfg.appName, {
    namespace: ns.name,
    name: cfg.appName,
    labels,
    data: { GREETING: cfg.app.greeting, LOG_LEVEL: cfg.app.logLevel, ...otelEnv(cfg.appName, cfg.observability) },
    secretData: cfg.apiToken ? { API_TOKEN: cfg.apiToken } : {},
});

// Two tracks, the main Service, the router's objects (Ingresses or an HTTPRoute) and the HPA, all derived from the
// release state that the config drives (see components/release).
const release = new Release(cfg.appName, {
    appName: cfg.appName,
    namespace: ns.name,
    version: cfg.version,
    settings: cfg.release,
    imageRef: image.ref,
    imageRepository: cfg.image.repository,
    replicas: cfg.replicas,
    autoscaling: cfg.autoscaling.enabled ? cfg.autoscaling : undefined,
    route: { host: cfg.ingress.host, path: cfg.ingress.path },
    router: cfg.release.router === "gatewayApi"
        ? { kind: "gatewayApi", parentRefs: cfg.release.gatewayApi!.parentRefs, hostnames: cfg.release.gatewayApi!.hostnames }
        : { kind: "nginx", className: cfg.ingress.className, tlsSecretName: cfg.ingress.tlsSecretName },
    controller: nginx,
    labels,
    track: {
        port: cfg.app.port,
        resources: resourceRequirements(cfg.resources),
        imagePullPolicy: imagePullPolicy(cfg.image.push),
        spread: cfg.spread,
        timings: cfg.app,
        terminationGracePeriodSeconds: terminationGracePeriodSeconds(cfg.app),
        configMapName: appConfig.configMapName,
        secretName: appConfig.secretName,
        checksums: {
            "goship.dev/config-checksum": appConfig.configChecksum,
            "goship.dev/secret-checksum": appConfig.secretChecksum,
        },
        skipAwait: cfg.skipAwait,
    },
});

// Dashboard, scraping and alert rules (goship:observability), re-rendered at each step.
if (cfg.observability.enabled) {
    new Observability(cfg.appName, { appName: cfg.appName, namespace: ns.name, labels, config: cfg.observability, release: release.state });
}

export const namespace = ns.name;
export const imageRef = image.ref;
export const host = cfg.ingress.host;
export const url = `${cfg.ingress.tlsSecretName ? "https" : "http"}://${cfg.ingress.host}${cfg.ingress.path}`;
export const version = cfg.version;
export const ingressController = pulumi.output(nginx ? `ingress-nginx ${cfg.ingressNginx.chartVersion} (installed)` : "existing controller");
/** The release state stored in Pulumi state (stable, candidate, step, weight, phase, history). */
export const releaseState = release.state;
/** One line, e.g. `canary 1.4.0 step 2/4: 20% · stable 1.3.2`. */
export const releaseStatus = release.status;
