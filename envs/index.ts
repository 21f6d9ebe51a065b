/**
 * Registers loopgym's built-in environments. Importing this module (the package barrel does) makes
 * every id below available to `make` and `makeVec`.
 */
import { register } from '../src/core/registry.js';
import { CartPoleEnv, CartPoleKwargsSchema, cartPoleVectorEntryPoint } from './cartpole.js';
import { BanditEnv, BanditKwargsSchema } from './bandit.js';
import './orchestrator/register.js';

register({
  id: 'CartPole-v1',
  entryPoint: (kwargs) => new CartPoleEnv(kwargs),
  vectorEntryPoint: cartPoleVectorEntryPoint,
  maxEpisodeSteps: 500,
  rewardThreshold: 475,
  kwargsSchema: CartPoleKwargsSchema,
  description: "Gymnasium's cart-pole: balance a pole on a cart by pushing it left or right.",
});

register({
  id: 'Bandit-v0',
  entryPoint: (kwargs) => new BanditEnv(kwargs),
  maxEpisodeSteps: 1000,
  kwargs: { arms: 10 },
  kwargsSchema: BanditKwargsSchema,
  description: 'The k-armed Gaussian testbed of Sutton & Barto: q*(a) ~ N(0, 1) per episode, reward ~ N(q*(a), 1).',
});
