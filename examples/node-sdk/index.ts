// "shop": a program of its own, using goship's components through the SDK that
// `pulumi package add <goship>/provider` generated (sdks/goship), exactly as a Python, Go,
// .NET or Java program does: the components run in goship's provider plugin, not here.
import * as pulumi from "@pulumi/pulumi";
import * as goship from "@pulumi/goship";

const config = new pulumi.Config();
const version = config.require("version");
// Where the app's images are: `<imageRepository>:<version>`.
const repo = config.get("imageRepository") ?? "goship";

const ns = new goship.AppNamespace("shop", {
    name: "goship-shop",
    podSecurityLevel: goship.PodSecurityLevel.Restricted,
    labels: { team: "storefront" },
    quota: { requestsCpu: "2", requestsMemory: "2Gi", limitsCpu: "8", limitsMemory: "4Gi", pods: 30 },
});

// The storefront: released by canary, one step per `pulumi up` (`pulumi config set step 1`).
const release = new goship.Release("shop", {
    appName: "shop",
    namespace: ns.namespaceName,
    version,
    image: `${repo}:${version}`,
    host: "shop.example.test",
    replicas: 2,
    steps: [10, 50, 100],
    step: config.getNumber("step") ?? 0,
});

// A background worker: one track of the same Go service, scaled by an HPA.
const worker = new goship.GoWorkload("worker", {
    appName: "shop-worker",
    track: "main",
    namespace: ns.namespaceName,
    image: `${repo}:1.0.0`,
    version: "1.0.0",
    resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } },
});
new goship.Autoscaler("shop-worker", {
    namespace: ns.namespaceName,
    deploymentName: worker.deploymentName,
    minReplicas: 1,
    maxReplicas: 4,
});

export const namespace = ns.namespaceName;
export const releaseStatus = release.status;
export const weight = release.weight;
export const workerDeployment = worker.deploymentName;
