// The goship program: the composition root. Config is read once, validated as a whole
// (bad config stops here, before any resource is registered), then passed to components.
import * as pulumi from "@pulumi/pulumi";
import {
    AppConfig, AppIngress, AppNamespace, Autoscaler, GoImage, GoWorkload, IngressNginx, appLabels, loadConfig,
    terminationGracePeriodSeconds,
} from "./components";

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
    ingressControllerNamespace: nginx ? nginx.namespace : cfg.ingressNginx.namespace,
    appPort: cfg.app.port,
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
    data: { GREETING: cfg.app.greeting, LOG_LEVEL: cfg.app.logLevel },
    secretData: cfg.apiToken ? { API_TOKEN: cfg.apiToken } : {},
});

const workload = new GoWorkload(`${cfg.appName}-blue`, {
    appName: cfg.appName,
    track: "blue",
    role: "stable",
    namespace: ns.name,
    image: image.ref,
    version: cfg.version,
    replicas: cfg.autoscaling.enabled ? undefined : cfg.replicas,
    port: cfg.app.port,
    resources: cfg.resources,
    timings: cfg.app,
    terminationGracePeriodSeconds: terminationGracePeriodSeconds(cfg.app),
    configMapName: appConfig.configMapName,
    secretName: appConfig.secretName,
    checksums: {
        "goship.dev/config-checksum": appConfig.configChecksum,
        "goship.dev/secret-checksum": appConfig.secretChecksum,
    },
    skipAwait: cfg.skipAwait,
});

if (cfg.autoscaling.enabled) {
    new Autoscaler(cfg.appName, {
        namespace: ns.name,
        deploymentName: workload.deploymentName,
        labels,
        ...cfg.autoscaling,
    });
}

const ingress = new AppIngress(cfg.appName, {
    name: cfg.appName,
    namespace: ns.name,
    labels,
    route: { ...cfg.ingress, servicePort: "http" },
    serviceName: workload.serviceName,
}, { dependsOn: nginx ? [nginx] : [] });

export const namespace = ns.name;
export const imageRef = image.ref;
export const host = cfg.ingress.host;
export const url = ingress.url;
export const version = cfg.version;
export const ingressController = pulumi.output(nginx ? `ingress-nginx ${cfg.ingressNginx.chartVersion} (installed)` : "existing controller");
