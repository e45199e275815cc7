import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

export interface AppConfigArgs {
    /** Namespace of the ConfigMap and Secret. */
    namespace: pulumi.Input<string>;
    /** Name prefix: creates `<name>-config` and `<name>-secret`. */
    name: pulumi.Input<string>;
    /** Plain settings, exposed to the app as environment variables. */
    data: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Secret settings, exposed as environment variables from a Secret. Pass secret Outputs
     * (e.g. `config.requireSecret(...)`); they are wrapped with `pulumi.secret` anyway so
     * they stay encrypted in state. @default {}
     */
    secretData?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A stable digest of a string map (key order does not matter). */
export function checksum(data: Record<string, string>): string {
    const canonical = JSON.stringify(Object.keys(data).sort().map((k) => [k, data[k]]));
    return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

/**
 * AppConfig is a component that holds the app's settings: a ConfigMap for plain values
 * and a Secret for secret ones. Its checksums go on the pod template, so changing a
 * value rolls the pods (Kubernetes does not restart pods when env sources change).
 */
export class AppConfig extends pulumi.ComponentResource {
    public readonly configMap: k8s.core.v1.ConfigMap;
    public readonly secret: k8s.core.v1.Secret;
    /** Digest of the ConfigMap data: plain, so a preview shows that pods will roll. */
    public readonly configChecksum: pulumi.Output<string>;
    /**
     * Digest of the Secret data, deliberately not secret (Helm's `checksum/secret` habit):
     * a secret annotation would make the whole pod template secret and every preview diff
     * of the Deployment unreadable. Secret values must be high-entropy tokens for this.
     */
    public readonly secretChecksum: pulumi.Output<string>;
    public readonly configMapName: pulumi.Output<string>;
    public readonly secretName: pulumi.Output<string>;

    constructor(name: string, args: AppConfigArgs, opts?: pulumi.ComponentResourceOptions) {
        super("goship:index:AppConfig", name, {}, opts);
        const data = pulumi.output(args.data);
        const secretData = pulumi.secret(pulumi.output(args.secretData ?? {}));
        // No secret settings: no stringData at all. An empty map is dropped from the stored
        // inputs, so every later preview would show it as added (and the Secret as changed).
        const given = args.secretData;
        const none = given === undefined || (!pulumi.Output.isInstance(given) && !(given instanceof Promise) && Object.keys(given).length === 0);
        this.configMap = new k8s.core.v1.ConfigMap(`${name}-config`, {
            metadata: { name: pulumi.interpolate`${args.name}-config`, namespace: args.namespace, labels: args.labels },
            data,
        }, { parent: this });
        this.secret = new k8s.core.v1.Secret(`${name}-secret`, {
            metadata: { name: pulumi.interpolate`${args.name}-secret`, namespace: args.namespace, labels: args.labels },
            type: "Opaque",
            stringData: none ? undefined : secretData,
        }, { parent: this });
        this.configChecksum = data.apply(checksum);
        this.secretChecksum = pulumi.unsecret(secretData.apply((d) => checksum({ salt: "goship-secret", ...d })));
        this.configMapName = this.configMap.metadata.name;
        this.secretName = this.secret.metadata.name;
        this.registerOutputs({ // Outputs only, no child resources: see Release (update plans)
            configMapName: this.configMapName,
            secretName: this.secretName,
            configChecksum: this.configChecksum,
            secretChecksum: this.secretChecksum,
        });
    }
}
