// The Node SDK's component provider for the goship package, serving the components of
// components.ts. The SDK infers the schema from their Args types and doc comments; goship
// adds what inference cannot know (defaults, whole numbers). index.ts runs it as the plugin.
// It also serves one custom resource, the Release's state (goship:index:ReleaseRecord), with
// the dynamic provider's functions: inside the plugin a Release registers that instead of a
// dynamic resource, whose host the engine would start in the program's directory, where a
// program in another language has no @pulumi/pulumi.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CheckResult, ConstructResult, CreateResult, DiffResult, ReadResult, UpdateResult } from "@pulumi/pulumi/provider";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { engineReleaseProvider } from "../components/release/provider";
import { PLUGIN_RELEASE_RECORD_TYPE } from "../components/release/token";
import { seal, unwrapSecrets } from "../components/secrets";
import { AppNamespace, Autoscaler, DEFAULTS, GoWorkload, Release } from "./components";

export const COMPONENTS = [AppNamespace, GoWorkload, Autoscaler, Release];
export const PACKAGE = "goship";

interface Property { type?: string; items?: Property; additionalProperties?: Property; optional?: boolean; description?: string; default?: unknown; [k: string]: unknown }
export interface Schema {
    name: string;
    resources: Record<string, { description?: string; inputProperties: Record<string, Property>; requiredInputs: string[]; properties: Record<string, Property> }>;
    types: Record<string, { description?: string; properties?: Record<string, Property>; enum?: unknown[] }>;
    [k: string]: unknown;
}

/**
 * Completes the inferred schema:
 * - every default (DEFAULTS) at the end of the input's description, and as `default` for a
 *   scalar, which the generated SDKs fill in, so the docs say what an omitted input means;
 * - `integer` instead of `number`: every number goship takes or returns is a count, a port, a
 *   percentage or seconds, and TypeScript has no integer type to infer it from;
 * - the descriptions of its enums and object types (see typeDescriptions).
 */
export function completeSchema(schema: Schema, defaults: Record<string, Record<string, unknown>> = DEFAULTS,
    typeDocs: Record<string, string> = typeDescriptions()): Schema {
    for (const [component, inputs] of Object.entries(defaults)) {
        const resource = schema.resources[`${PACKAGE}:index:${component}`];
        if (!resource) throw new Error(`defaults for ${component}, which the schema does not have`);
        for (const [input, value] of Object.entries(inputs)) {
            const prop = resource.inputProperties[input];
            if (!prop) throw new Error(`a default for ${component}.${input}, which is not an input`);
            if (!prop.optional) throw new Error(`a default for ${component}.${input}, which is required`);
            if (["string", "number", "boolean"].includes(typeof value)) prop.default = value;
            const shown = JSON.stringify(value).replace(/"(\w+)":/g, "$1: ").replace(/,/g, ", ");
            prop.description = `${prop.description ? `${prop.description} ` : ""}Defaults to \`${shown}\`.`;
        }
    }
    const integers = (p: Property | undefined): void => {
        if (!p) return;
        if (p.type === "number") p.type = "integer";
        integers(p.items);
        integers(p.additionalProperties);
    };
    for (const r of Object.values(schema.resources)) [...Object.values(r.inputProperties), ...Object.values(r.properties)].forEach(integers);
    for (const t of Object.values(schema.types)) Object.values(t.properties ?? {}).forEach(integers);
    for (const [token, t] of Object.entries(schema.types)) {
        const doc = typeDocs[token.split(":").pop()!];
        if (doc) t.description = doc;
    }
    return schema;
}

/**
 * The doc comments of the enums and interfaces in components.ts, by name. The SDK reads them
 * too but leaves them out of the schema it writes, so the generated SDKs' types would have none.
 */
export function typeDescriptions(file = path.join(__dirname, "components.ts")): Record<string, string> {
    const ts: typeof import("typescript") = require("typescript");
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    const docs: Record<string, string> = {};
    source.forEachChild((node) => {
        if ((ts.isInterfaceDeclaration(node) || ts.isEnumDeclaration(node)) && node.name) {
            const text = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc).map((d) => ts.getTextOfJSDocComment(d.comment) ?? "").join("\n").trim();
            if (text) docs[node.name.text] = text;
        }
    });
    return docs;
}

/** The component's outputs: its public Output-valued fields, as in the schema's `properties`. */
export function componentOutputs(instance: pulumi.ComponentResource): Record<string, pulumi.Output<unknown>> {
    return Object.fromEntries(Object.entries(instance).filter(([k, v]) => k !== "urn" && !k.startsWith("__") && pulumi.Output.isInstance(v)));
}

/** The type of a resource URN: the last segment of its type chain (`…::parent$child::name`). */
export function urnType(urn: string): string {
    return urn.split("::")[2]?.split("$").pop() ?? "";
}

/**
 * The engine sends this plugin secrets as the SDK's secret envelopes (the SDK's provider server
 * accepts secrets); the dynamic provider host does not accept them and sees plain values. The
 * release functions see the plain values here too: `values`, and which top-level properties
 * held a secret.
 */
function unsealed(props: any): { values: any; secretKeys: Set<string> } {
    const found: string[] = [];
    const values = unwrapSecrets(props, "", found);
    return { values, secretKeys: new Set(found.map((at) => at.split(/[.[]/)[0])) };
}

/**
 * Marks secret again each top-level property whose input held a secret. This server accepts
 * secrets, so the engine stores what it returns as it is: without this, a secret input
 * unwrapped by unsealed() would land in the state in clear text. (For a dynamic provider the
 * engine does the same itself: it does not accept secrets, and the engine marks the outputs
 * named like secret inputs.)
 */
function resealed<T extends Record<string, any> | undefined>(secretKeys: Set<string>, props: T): T {
    if (!props) return props;
    return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, secretKeys.has(k) ? seal(v) : v])) as T;
}

/** The release record's provider: the dynamic one's functions, behind the plugin's signatures (the URN first). */
const release = engineReleaseProvider;

/** The SDK's component provider, with the completed schema, and the release record's provider. */
export class GoshipProvider extends ComponentProvider {
    private schemaText?: string;

    constructor(dirname: string = __dirname) {
        super({ name: PACKAGE, dirname, components: COMPONENTS });
    }

    /** Inferred from the TypeScript sources on request (`pulumi package add`, `get-schema`): ~10 s. */
    async getSchema(): Promise<string> {
        if (!this.schemaText) this.schemaText = JSON.stringify(completeSchema(JSON.parse(await super.getSchema())));
        return this.schemaText;
    }

    /**
     * Creates a component for a program. The SDK's version first infers the whole schema, only
     * to learn the outputs' names; this takes them from the instance, so a `pulumi up` does not
     * pay for type analysis.
     */
    async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<ConstructResult> {
        ComponentProvider.validateResourceType(PACKAGE, type);
        const component = COMPONENTS.find((c) => type === `${PACKAGE}:index:${c.name}`);
        if (!component) throw new Error(`the goship package has no component ${type}; it has ${COMPONENTS.map((c) => c.name).join(", ")}`);
        const instance = new component(name, inputs as any, options);
        return { urn: instance.urn, state: componentOutputs(instance) };
    }

    /** The release record's next state (or goship's refusal), exactly as the dynamic provider's check. */
    async check(urn: string, olds: any, news: any): Promise<CheckResult> {
        record(urn);
        const n = unsealed(news);
        const r = await release.check!(unsealed(olds).values, n.values);
        return { ...r, inputs: resealed(n.secretKeys, r.inputs) };
    }

    async diff(id: string, urn: string, olds: any, news: any): Promise<DiffResult> {
        record(urn);
        return release.diff!(id, unsealed(olds).values, unsealed(news).values);
    }

    async create(urn: string, inputs: any): Promise<CreateResult> {
        record(urn);
        const i = unsealed(inputs);
        const r = await release.create!(i.values);
        return { ...r, outs: resealed(i.secretKeys, r.outs) };
    }

    async update(id: string, urn: string, olds: any, news: any): Promise<UpdateResult> {
        record(urn);
        const n = unsealed(news);
        const r = await release.update!(id, unsealed(olds).values, n.values);
        return { ...r, outs: resealed(n.secretKeys, r.outs) };
    }

    async read(id: string, urn: string, props?: any): Promise<ReadResult> {
        record(urn);
        return release.read!(id, props);
    }

    async delete(id: string, urn: string, props: any): Promise<void> {
        record(urn);
        await release.delete!(id, props);
    }
}

/** The one custom resource the plugin serves; anything else is a wrong type token. */
function record(urn: string): void {
    const type = urnType(urn);
    if (type !== PLUGIN_RELEASE_RECORD_TYPE) {
        throw new Error(`the goship plugin serves one custom resource, ${PLUGIN_RELEASE_RECORD_TYPE}, not ${type} (${urn})`);
    }
}
