// The release record's type tokens, alone in a module without runtime imports so the goship
// CLI can find the record in a stack export without loading the Pulumi SDK.
const MODULE = "goship";
const TYPE = "Release";
/** The module and type the record registers under (the SDK builds the token from them). */
export const RELEASE_RECORD_NAME = { module: MODULE, type: TYPE } as const;
/** The record's type token, as the SDK spells a dynamic resource's: `pulumi-nodejs:dynamic/<module>:<type>`. */
export const RELEASE_RECORD_TYPE = `pulumi-nodejs:dynamic/${MODULE}:${TYPE}`;
/**
 * The record's type token when goship's component provider (provider/) runs the Release for a
 * program in another language: a custom resource of the goship plugin itself, which needs no
 * Node.js packages in the program's directory (a dynamic resource does).
 */
export const PLUGIN_RELEASE_RECORD_TYPE = "goship:index:ReleaseRecord";
/** Every type a release record can have in a stack's state. */
export const RELEASE_RECORD_TYPES: readonly string[] = [RELEASE_RECORD_TYPE, PLUGIN_RELEASE_RECORD_TYPE];
