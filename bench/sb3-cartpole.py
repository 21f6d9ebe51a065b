#!/usr/bin/env python3
"""Stable-Baselines3's side of `npm run bench -- train-cartpole`: the same setups, the same measure.

Trains SB3 on CartPole-v1 with rl-baselines3-zoo's settings (or SB3's defaults) and prints one JSON line
per seed: {algo, seed, secondsTo475, stepsTo475, stepsPerSec, seconds, totalSteps, torch, sb3}, where
secondsTo475 is the wall time until the 20-episode running mean of training returns first reaches 475
(counted from the start of learn(), as the TypeScript bench counts it).

    OPENBLAS_NUM_THREADS=1 python3 bench/sb3-cartpole.py --algo ppo-zoo|ppo-default|dqn-zoo [--seeds 0,1,2] [--steps N] [--stop]

Needs torch, gymnasium and stable-baselines3 (tested with Debian's python3-torch 1.13, SB3 2.3.2 and
Gymnasium 0.29.1 on PYTHONPATH). One torch thread: SB3's fastest setting on a 2-core machine.
"""
import argparse
import json
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402
import stable_baselines3 as sb3  # noqa: E402
from stable_baselines3 import DQN, PPO  # noqa: E402
from stable_baselines3.common.callbacks import BaseCallback  # noqa: E402
from stable_baselines3.common.env_util import make_vec_env  # noqa: E402


def linear(start):
    return lambda progress_remaining: progress_remaining * start


SETUPS = {
    # rl-baselines3-zoo hyperparams/ppo.yml, CartPole-v1
    "ppo-zoo": dict(cls=PPO, n_envs=8, steps=100_000, kwargs=dict(n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20, ent_coef=0.0, learning_rate=linear(1e-3), clip_range=linear(0.2))),
    # SB3's defaults, one env
    "ppo-default": dict(cls=PPO, n_envs=1, steps=100_000, kwargs=dict()),
    # rl-baselines3-zoo hyperparams/dqn.yml, CartPole-v1
    "dqn-zoo": dict(cls=DQN, n_envs=1, steps=100_000, kwargs=dict(learning_rate=2.3e-3, batch_size=64, buffer_size=100_000, learning_starts=1000, gamma=0.99, target_update_interval=10, train_freq=256, gradient_steps=128, exploration_fraction=0.16, exploration_final_eps=0.04, policy_kwargs=dict(net_arch=[256, 256]))),
}


class RunningMean(BaseCallback):
    """Notes when the 20-episode running mean of training returns first reaches the threshold."""

    def __init__(self, threshold, stop):
        super().__init__()
        self.threshold, self.stop, self.window, self.reached, self.start = threshold, stop, [], None, 0.0

    def _on_training_start(self):
        self.start = time.perf_counter()

    def _on_step(self):
        for info in self.locals.get("infos", []):
            episode = info.get("episode")
            if episode is None:
                continue
            self.window = (self.window + [episode["r"]])[-20:]
            if len(self.window) == 20 and self.reached is None and sum(self.window) / 20 >= self.threshold:
                self.reached = (time.perf_counter() - self.start, self.num_timesteps)
        return not (self.stop and self.reached is not None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--algo", choices=sorted(SETUPS), default="ppo-zoo")
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--stop", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    setup = SETUPS[args.algo]
    for seed in [int(s) for s in args.seeds.split(",")]:
        env = make_vec_env("CartPole-v1", n_envs=setup["n_envs"], seed=seed)
        model = setup["cls"]("MlpPolicy", env, seed=seed, device="cpu", verbose=0, **setup["kwargs"])
        watch = RunningMean(475, args.stop)
        t0 = time.perf_counter()
        model.learn(total_timesteps=args.steps or setup["steps"], callback=watch)
        seconds = time.perf_counter() - t0
        steps = model.num_timesteps
        print(json.dumps({
            "algo": args.algo, "seed": seed, "peer": "sb3",
            "secondsTo475": round(watch.reached[0], 2) if watch.reached else None,
            "stepsTo475": watch.reached[1] if watch.reached else None,
            "stepsPerSec": round(steps / seconds), "seconds": round(seconds, 2), "totalSteps": steps,
            "torch": torch.__version__, "sb3": sb3.__version__,
        }), flush=True)


if __name__ == "__main__":
    main()
