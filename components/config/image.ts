// Parsing of `goship:image`: build and push here, or deploy a prebuilt reference. Pure.
import { Reader, show } from "./validate";

export interface ImageConfig {
    /** Image repository without tag, e.g. `ghcr.io/acme/goship`. */
    repository: string;
    /** Push to the registry (prod) or only build locally (kind/minikube). */
    push: boolean;
    /** Registry server to log in to when pushing; defaults to the repository's host. */
    registryServer?: string;
    registryUsername?: string;
    /** Whether `goship:registryPassword` is set (the value itself stays a secret Output). */
    hasRegistryPassword: boolean;
    /**
     * A prebuilt image to deploy (`repo:tag` or `repo@sha256:…`), built elsewhere (buildx,
     * ko, a CI job). With it nothing is built here: no docker.Image, no Docker engine.
     */
    ref?: string;
    /** Build context, relative to the project. */
    context: string;
    platform: string;
}

/** `top` is the root reader: the registry login check names `goship:registryPassword`. */
export function parseImage(top: Reader, appName: string): ImageConfig {
    const img = top.child("image");
    const ref = img.optionalString("ref", {
pattern: /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/,
        allowed: "an image reference with a tag or digest, e.g. ghcr.io/acme/goship@sha256:<64 hex>",
    });
    const image: ImageConfig = {
        ref,
        // With a prebuilt image, the repository is the ref's own unless set.
        repository: img.string("repository", ref?.replace(/(@sha256:[a-f0-9]+|:[^:/]+)+$/, "") ?? appName, {
            pattern: /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
            allowed: "an image repository without tag, e.g. ghcr.io/acme/goship",
        }),
        push: img.bool("push", false),
        registryServer: img.optionalString("registryServer"),
        registryUsername: img.optionalString("registryUsername"),
        hasRegistryPassword: top.has("registryPassword"),
        context: img.string("context", "./app"),
        platform: img.string("platform", "linux/amd64", { pattern: /^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, allowed: "an OS/arch such as linux/amd64" }),
    };
    if (image.push && /^[^/.:]+(\/|$)/.test(image.repository) && !image.repository.includes("/")) {
        img.fail("repository", `must include a registry host when push is true (e.g. ghcr.io/acme/${image.repository}), got ${show(image.repository)}`);
    }
    if (image.ref && !/[:@][^/]+$/.test(image.ref)) {
        img.fail("ref", `must name a tag or a digest (a bare repository is not reproducible), got ${show(image.ref)}`);
    }
    // A prebuilt image is neither built nor pushed here, so it needs no registry login.
    if (image.push && !image.ref && (!image.registryUsername || !image.hasRegistryPassword)) {
        top.problems.push(`${top.key}:image.registryUsername and ${top.key}:registryPassword (secret) are required when ${top.key}:image.push is true`);
    }
    img.rejectUnknown();
    return image;
}
