export * from "../offline/engine";
