// The release record's type token, alone in a module without runtime imports so the goship
// CLI can find the record in a stack export without loading the Pulumi SDK.
const MODULE = "goship";
const TYPE = "Release";
/** The module and type the record registers under (the SDK builds the token from them). */
export const RELEASE_RECORD_NAME = { module: MODULE, type: TYPE } as const;
/** The record's type token, as the SDK spells a dynamic resource's: `pulumi-nodejs:dynamic/<module>:<type>`. */
export const RELEASE_RECORD_TYPE = `pulumi-nodejs:dynamic/${MODULE}:${TYPE}`;
