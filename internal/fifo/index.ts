/** A first-in first-out queue that lets go of what left it (the engine's waiting work, the cache writer's inbox). */
export { Fifo } from "./fifo.ts";
