/**
 * The follower's entry point while its implementation is built on another branch: it refuses to start, saying so.
 * Replaced by the follower itself when the branches meet.
 */
import type { FollowOptions, HistoryFollower } from "./follow.ts";

export async function startFollower(_options: FollowOptions): Promise<HistoryFollower> {
  throw new Error("the history follower is not built in this branch");
}
