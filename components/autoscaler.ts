import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** `goship:autoscaling`: whether an HPA scales the stable track, and its bounds. */
export interface AutoscalingConfig {
    enabled: boolean;
    minReplicas: number;
    maxReplicas: number;
    cpuUtilization: number;
    memoryUtilization?: number;
    scaleDownStabilizationSeconds: number;
}

export interface AutoscalerArgs {
    /** Namespace of the Deployment. */
    namespace: pulumi.Input<string>;
    /** Name of the Deployment to scale; that Deployment must not set `replicas`. */
    deploymentName: pulumi.Input<string>;
    /** Fewest replicas. @default 2 */
    minReplicas?: pulumi.Input<number>;
    /** Most replicas. @default 10 */
    maxReplicas?: pulumi.Input<number>;
    /** Target average CPU utilization, percent of requests. @default 50 */
    cpuUtilization?: pulumi.Input<number>;
    /** Target average memory utilization, percent of requests; none when omitted. */
    memoryUtilization?: pulumi.Input<number>;
    /** Seconds of lower recommendations before scaling down (avoids flapping). @default 300 */
    scaleDownStabilizationSeconds?: pulumi.Input<number>;
    /** Labels of the HorizontalPodAutoscaler. */
    labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Builds the HPA metric list: CPU always, memory when a target is given. */
export function hpaMetrics(cpu: number, memory?: number): k8s.types.input.autoscaling.v2.MetricSpec[] {
    const resource = (name: string, averageUtilization: number) => ({
        type: "Resource",
        resource: { name, target: { type: "Utilization", averageUtilization } },
    });
    return memory === undefined ? [resource("cpu", cpu)] : [resource("cpu", cpu), resource("memory", memory)];
}

/**
 * Autoscaler is a component that scales a Deployment with an autoscaling/v2
 * HorizontalPodAutoscaler on CPU (and optionally memory) utilization.
 */
export class Autoscaler extends pulumi.ComponentResource {
    public readonly hpa: k8s.autoscaling.v2.HorizontalPodAutoscaler;

    constructor(name: string, args: AutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("goship:index:Autoscaler", name, {}, opts);
        this.hpa = new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, {
            metadata: { name, namespace: args.namespace, labels: args.labels },
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: args.deploymentName },
                minReplicas: args.minReplicas ?? 2,
                maxReplicas: args.maxReplicas ?? 10,
                metrics: pulumi.all([args.cpuUtilization ?? 50, args.memoryUtilization])
                    .apply(([cpu, mem]) => hpaMetrics(cpu, mem)),
                behavior: {
                    scaleDown: { stabilizationWindowSeconds: args.scaleDownStabilizationSeconds ?? 300 },
                },
            },
        }, { parent: this });
        this.registerOutputs({ hpaName: this.hpa.metadata.name }); // no child resources: see Release (update plans)
    }
}
