/**
 * fast-check runs from one fixed seed, so a CI run is reproducible: a property that fails once fails
 * every time, with its counterexample. Explore other inputs with TWINOPS_FC_SEED=<n> (or =random).
 */
import fc from 'fast-check';

const seed = process.env.TWINOPS_FC_SEED;
if (seed !== 'random') fc.configureGlobal({ seed: seed ? Number(seed) : 20261122 });
