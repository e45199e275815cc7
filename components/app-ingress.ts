import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface IngressRoute {
    host: string;
    path: string;
    className: string;
    /** TLS Secret for the host (cert-manager or pre-created). Prod must set it. */
    tlsSecretName?: string;
    /** Service port name the backend targets. */
    servicePort: string;
}

/** The Ingress spec for one host/path to one Service; the canary Ingress is a copy of it. */
export function ingressSpec(route: IngressRoute, serviceName: pulumi.Input<string>): k8s.types.input.networking.v1.IngressSpec {
    return {
        ingressClassName: route.className,
        tls: route.tlsSecretName ? [{ hosts: [route.host], secretName: route.tlsSecretName }] : undefined,
        rules: [{
            host: route.host,
            http: {
                paths: [{
                    path: route.path,
                    pathType: "Prefix",
                    backend: { service: { name: serviceName, port: { name: route.servicePort } } },
                }],
            },
        }],
    };
}

export interface AppIngressArgs {
    /** Ingress object name. */
    name: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    route: IngressRoute;
    /** The Service that receives the traffic (goship: the main Service, which selects the stable track). */
    serviceName: pulumi.Input<string>;
    annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** AppIngress is a component that exposes the app through the ingress controller on one host/path. */
export class AppIngress extends pulumi.ComponentResource {
    public readonly ingress: k8s.networking.v1.Ingress;
    /** `https://host/path` with TLS, else `http://…`. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: AppIngressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("goship:index:AppIngress", name, {}, opts);
        const r = args.route;
        this.ingress = new k8s.networking.v1.Ingress(`${name}-ingress`, {
            metadata: { name: args.name, namespace: args.namespace, labels: args.labels, annotations: args.annotations },
            spec: ingressSpec(r, args.serviceName),
        }, { parent: this });
        this.url = pulumi.output(`${r.tlsSecretName ? "https" : "http"}://${r.host}${r.path}`);
        this.registerOutputs({ url: this.url });
    }
}
