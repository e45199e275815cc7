import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

export interface GoImageArgs {
    /** Image repository without tag, e.g. `ghcr.io/acme/goship`. */
    repository: pulumi.Input<string>;
    /** The app version: build arg `VERSION` and the image tag. */
    version: pulumi.Input<string>;
    /** Commit id stamped into the binary (build arg `COMMIT`). @default "unknown" */
    commit?: pulumi.Input<string>;
    /** Directory holding the Go service and its Dockerfile. @default "./app" */
    context?: pulumi.Input<string>;
    /** Target platform; clusters run linux/amd64 unless told otherwise. @default "linux/amd64" */
    platform?: pulumi.Input<string>;
    /**
     * Push to the registry. Local clusters (kind, minikube) load the image from the local
     * daemon instead, so dev skips the push. @default false
     */
    push?: pulumi.Input<boolean>;
    /** Registry credentials, needed when pushing; the password should be a secret Output. */
    registry?: pulumi.Input<{ server: pulumi.Input<string>; username: pulumi.Input<string>; password: pulumi.Input<string> }>;
}

/**
 * GoImage is a component that builds the Go service's container image from its
 * multi-stage Dockerfile and, when asked, pushes it. `ref` is what Deployments should
 * run: the pushed digest (`repo@sha256:…`, so a rebuilt image rolls the pods even if the
 * tag is reused) or, without a push, the local `repo:version` tag.
 */
export class GoImage extends pulumi.ComponentResource {
    /** The image reference to deploy. */
    public readonly ref: pulumi.Output<string>;
    /** `repository:version`. */
    public readonly tagged: pulumi.Output<string>;
    /**
     * The `docker.Image` (typed as a plain resource: @pulumi/docker is an optional peer of the
     * package, so its types must not appear in goship's declarations).
     */
    public readonly image: pulumi.CustomResource;

    constructor(name: string, args: GoImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("goship:index:GoImage", name, {}, opts);
        // Loaded here, not at the top: a stack that deploys a prebuilt image (`image.ref`)
        // never constructs a GoImage, so it never loads the docker SDK or its provider.
        const dockerSdk: typeof docker = require("@pulumi/docker");
        const context = args.context ?? "./app";
        this.tagged = pulumi.interpolate`${args.repository}:${args.version}`;
        const push = pulumi.output(args.push ?? false);
        const image = new dockerSdk.Image(`${name}-image`, {
            imageName: this.tagged,
            build: {
                context,
                dockerfile: pulumi.interpolate`${context}/Dockerfile`,
                platform: args.platform ?? "linux/amd64",
                args: { VERSION: args.version, COMMIT: args.commit ?? "unknown" },
            },
            skipPush: push.apply((p) => !p),
            registry: args.registry,
        }, { parent: this });
        this.image = image;
        // Without a push there is no registry digest; the local tag is what kind/minikube load.
        this.ref = pulumi.all([push, image.repoDigest, this.tagged]).apply(([p, digest, tagged]) =>
            p && digest ? digest : tagged);
        this.registerOutputs({ ref: this.ref, tagged: this.tagged }); // no child resources: see Release (update plans)
    }
}
