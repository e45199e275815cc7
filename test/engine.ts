export * from "../scripts/offline/engine";
