/** The current time in epoch ms. Injected everywhere time matters so that tests can move it. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
