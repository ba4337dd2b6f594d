/**
 * The HTTP side: the JSON API and the dashboard (`createApp`), the page served while the service starts
 * (`createStartingApp`), the engine role's probes (`createProbesApp`), and the interfaces through which they read
 * the history and ask for backloads.
 */
export type { LaunchBody, RerunResult } from "./actions.ts";
export { type AppDeps, createApp } from "./app.ts";
export { type Tokens, tokenProblem } from "./auth.ts";
export { type BackloadResult, BackloadUnavailable } from "./backload.ts";
export type { EngineView, HistoryView, StateView } from "./deps.ts";
export { type History, HistoryUnavailable, type Page } from "./history.ts";
export type { LiveChange } from "./live.ts";
export { createProbesApp, type ProbeState, type ProbesDeps } from "./probes.ts";
export { createStartingApp, type StartingView } from "./starting.ts";
